// Resources: environments and their files, experiments with their logs and diffs, searches with leaderboards, ideas.
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';

import { ResearchError } from '../domain/errors.js';
import type { ResearchServices } from '../services/research-services.js';
import { ideaOutput, leaderboardOutput, rewardOutput, searchOutput } from '../services/views.js';
import type { ToolRuntime } from './register-tools.js';

export const RESOURCE_PREFIX = 'groundwork://';
const LISTED = 100;
/** Environment files larger than this are not listed (data); they can still be read up to the service's limit. */
const LISTED_FILE_BYTES = 256_000;
/** Resource not found (MCP spec). */
const RESOURCE_NOT_FOUND = -32002;

type Variables = Record<string, string | string[]>;

function variable(variables: Variables, name: string): string {
  const value = variables[name];
  return decodeURIComponent(Array.isArray(value) ? value.join('/') : (value ?? ''));
}

const json = (uri: URL, value: unknown): ReadResourceResult => ({
  contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});

const text = (uri: URL, value: string, mimeType = 'text/plain'): ReadResourceResult => ({
  contents: [{ uri: uri.href, mimeType, text: value }],
});

function mimeOf(path: string): string {
  if (path.endsWith('.py')) return 'text/x-python';
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.md')) return 'text/markdown';
  return 'text/plain';
}

/** Resource reads answer with JSON-RPC errors; ResearchErrors keep their code and message. */
async function read(work: () => Promise<ReadResourceResult>): Promise<ReadResourceResult> {
  try {
    return await work();
  } catch (error) {
    if (!ResearchError.is(error)) throw error;
    const code =
      error.code === 'not_found' || error.code === 'environment_unknown' ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams;
    throw new McpError(code, `${error.code}: ${error.message}`);
  }
}

async function environmentNames(services: ResearchServices): Promise<string[]> {
  return (await services.listEnvironments()).environments.map((environment) => environment.manifest.name);
}

export function registerResources(server: McpServer, runtime: ToolRuntime): void {
  const services = (): Promise<ResearchServices> => runtime.services();
  const completeEnvironment = async (value: string): Promise<string[]> =>
    (await environmentNames(await services()).catch(() => [])).filter((name) => name.startsWith(value));

  server.registerResource(
    'environment',
    new ResourceTemplate(`${RESOURCE_PREFIX}environments/{name}`, {
      list: async () => ({
        resources: (await environmentNames(await services())).map((name) => ({
          uri: `${RESOURCE_PREFIX}environments/${name}`,
          name: `environment ${name}`,
        })),
      }),
      complete: { name: completeEnvironment },
    }),
    { title: 'Environment', description: 'An environment’s manifest and its file list', mimeType: 'application/json' },
    (uri, variables) =>
      read(async () => {
        const name = variable(variables, 'name');
        const environment = await (await services()).getEnvironment(name);
        const files = await (await services()).listEnvironmentFiles(name);
        return json(uri, {
          manifest: environment.manifest,
          // Held-out files are listed as sealed, with no uri: they are never served.
          files: files.map((file) =>
            file.sealed ? file : { ...file, uri: `${RESOURCE_PREFIX}environments/${name}/files/${file.path}` },
          ),
        });
      }),
  );

  server.registerResource(
    'environment-file',
    new ResourceTemplate(`${RESOURCE_PREFIX}environments/{name}/files/{+path}`, {
      list: async () => {
        const resources = [];
        for (const name of await environmentNames(await services())) {
          for (const file of await (await services()).listEnvironmentFiles(name)) {
            if (file.size > LISTED_FILE_BYTES || file.sealed) continue;
            resources.push({
              uri: `${RESOURCE_PREFIX}environments/${name}/files/${file.path}`,
              name: `${name}/${file.path}`,
              description: file.editable ? 'editable' : file.frozen ? 'frozen' : 'read-only',
              mimeType: mimeOf(file.path),
              size: file.size,
            });
          }
        }
        return { resources };
      },
      complete: { name: completeEnvironment },
    }),
    { title: 'Environment file', description: 'One file of an environment, as text' },
    (uri, variables) =>
      read(async () => {
        const path = variable(variables, 'path');
        const content = await (await services()).readEnvironmentFile(variable(variables, 'name'), path);
        return text(uri, content, mimeOf(path));
      }),
  );

  server.registerResource(
    'experiment',
    new ResourceTemplate(`${RESOURCE_PREFIX}experiments/{id}`, {
      list: async () => ({
        resources: (await (await services()).listExperiments())
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, LISTED)
          .map((experiment) => ({
            uri: `${RESOURCE_PREFIX}experiments/${experiment.id}`,
            name: `experiment ${experiment.id} (${experiment.state})`,
          })),
      }),
    }),
    { title: 'Experiment', description: 'An experiment’s state, reward or failure', mimeType: 'application/json' },
    (uri, variables) =>
      read(async () => {
        const id = variable(variables, 'id');
        const experiment = await (await services()).getExperiment(id);
        return json(uri, {
          ...rewardOutput(experiment),
          log: `${RESOURCE_PREFIX}experiments/${id}/log`,
          diff: `${RESOURCE_PREFIX}experiments/${id}/diff`,
        });
      }),
  );

  const listRecent = (suffix: string, what: string) => async () => ({
    resources: (await (await services()).listExperiments())
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, LISTED)
      .map((experiment) => ({
        uri: `${RESOURCE_PREFIX}experiments/${experiment.id}${suffix}`,
        name: `${what} of experiment ${experiment.id}`,
      })),
  });

  server.registerResource(
    'experiment-log',
    new ResourceTemplate(`${RESOURCE_PREFIX}experiments/{id}/log`, { list: listRecent('/log', 'logs') }),
    { title: 'Experiment log', description: 'Training and evaluation logs of each run', mimeType: 'text/plain' },
    (uri, variables) =>
      read(async () => {
        const logs = await (await services()).readExperimentLogs(variable(variables, 'id'));
        const body = logs
          .map((log) => `===== ${log.run} ${log.step}${log.truncated ? ' (end only)' : ''} =====\n${log.text}`)
          .join('\n');
        return text(uri, body || '(no logs yet: the experiment has not started)');
      }),
  );

  server.registerResource(
    'experiment-diff',
    new ResourceTemplate(`${RESOURCE_PREFIX}experiments/{id}/diff`, { list: listRecent('/diff', 'diff') }),
    { title: 'Experiment diff', description: 'The code change an experiment ran', mimeType: 'text/x-diff' },
    (uri, variables) =>
      read(async () => {
        const experiment = await (await services()).getExperiment(variable(variables, 'id'));
        return text(uri, await (await services()).readImplementationDiff(experiment.implementationId), 'text/x-diff');
      }),
  );

  server.registerResource(
    'implementation-diff',
    new ResourceTemplate(`${RESOURCE_PREFIX}implementations/{id}/diff`, { list: undefined }),
    { title: 'Implementation diff', description: 'The whole diff of an implementation', mimeType: 'text/x-diff' },
    (uri, variables) =>
      read(async () =>
        text(uri, await (await services()).readImplementationDiff(variable(variables, 'id')), 'text/x-diff'),
      ),
  );

  server.registerResource(
    'search',
    new ResourceTemplate(`${RESOURCE_PREFIX}searches/{id}`, {
      list: async () => ({
        resources: (await (await services()).listSearches())
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, LISTED)
          .map((search) => ({
            uri: `${RESOURCE_PREFIX}searches/${search.id}`,
            name: `search ${search.id} (${search.strategy} on ${search.environment}, ${search.state})`,
          })),
      }),
    }),
    { title: 'Search', description: 'A search’s state and leaderboard', mimeType: 'application/json' },
    (uri, variables) =>
      read(async () => {
        const search = await (await services()).getSearch(variable(variables, 'id'));
        const rows = await (await services()).leaderboard({ searchId: search.id });
        return json(uri, { ...searchOutput(search), leaderboard: rows.map(leaderboardOutput) });
      }),
  );

  server.registerResource(
    'idea',
    new ResourceTemplate(`${RESOURCE_PREFIX}ideas/{id}`, { list: undefined }),
    { title: 'Idea', description: 'A stored idea', mimeType: 'application/json' },
    (uri, variables) =>
      read(async () => {
        const id = variable(variables, 'id');
        const idea = await (await services()).getIdea(id);
        if (!idea) throw new ResearchError('not_found', `no idea ${id}; use an id returned by propose_idea`);
        return json(uri, ideaOutput(idea));
      }),
  );
}
