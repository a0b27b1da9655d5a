// The groundwork:// resource addresses tools link to (src/mcp/register-resources.ts serves them).

export const RESOURCE_SCHEME = 'groundwork://';

export const experimentUri = (id: string): string => `${RESOURCE_SCHEME}experiments/${encodeURIComponent(id)}`;
export const experimentLogUri = (id: string): string => `${experimentUri(id)}/log`;
export const experimentDiffUri = (id: string): string => `${experimentUri(id)}/diff`;
export const implementationDiffUri = (id: string): string =>
  `${RESOURCE_SCHEME}implementations/${encodeURIComponent(id)}/diff`;
export const searchUri = (id: string): string => `${RESOURCE_SCHEME}searches/${encodeURIComponent(id)}`;
export const ideaUri = (id: string): string => `${RESOURCE_SCHEME}ideas/${encodeURIComponent(id)}`;
