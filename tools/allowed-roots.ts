// The folders a client may point add_environment and export_result at: the configured allowed roots and its MCP roots.
import { ResearchError } from '../src/domain/errors.js';
import type { ToolContext } from './define-tool.js';

export async function allowedFolders(context: ToolContext): Promise<string[]> {
  const roots = [...context.services.allowedRoots(), ...((await context.roots?.().catch(() => [])) ?? [])];
  if (roots.length === 0) {
    throw new ResearchError(
      'bad_input',
      'this server may not read your folders yet: add the repository (or a folder above it) to "environments": { "allowedRoots": [...] } in groundwork\'s config file, or share it as a root from your MCP client',
    );
  }
  return roots;
}
