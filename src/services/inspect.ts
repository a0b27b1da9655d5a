// Read-only views for clients: environment files, implementations and their diffs, experiment logs, one search.
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import { runsDir } from '../config/runs-dir.js';
import { ResearchError } from '../domain/errors.js';
import type { Implementation, Search } from '../domain/records.js';
import { isHeldOut, protectedGlobs } from '../environments/environment-files.js';
import type { Environment } from '../environments/registry.js';
import { listFiles } from '../environments/workspace.js';
import { readArtifact } from '../store/artifacts.js';
import { firstMatch } from '../util/glob.js';
import type { ServiceDeps } from './deps.js';

export interface EnvironmentFileInfo {
  path: string;
  size: number;
  /** An edit may change it. */
  editable: boolean;
  /** An edit may never touch it (harness, data, launch files). */
  frozen: boolean;
  /** Held-out data (the manifest's `heldOut`): it exists, but only the frozen evaluation reads it; never served. */
  sealed?: true;
}

export interface ExperimentLog {
  /** `preflight` (the smoke run) or `seed-<n>`. */
  run: string;
  step: 'train' | 'evaluate';
  text: string;
  /** True when only the end of a longer log is given. */
  truncated: boolean;
}

export const MAX_FILE_BYTES = 1_000_000;
export const MAX_LOG_BYTES = 200_000;

export async function listEnvironmentFiles(environment: Environment): Promise<EnvironmentFileInfo[]> {
  const frozenGlobs = protectedGlobs(environment);
  const files: EnvironmentFileInfo[] = [];
  for (const path of await listFiles(environment.dir)) {
    const frozen = firstMatch(path, frozenGlobs) !== undefined;
    const editable = !frozen && firstMatch(path, environment.manifest.editable) !== undefined;
    const size = (await stat(join(environment.dir, path))).size;
    files.push({ path, size, editable, frozen, ...(isHeldOut(environment, path) ? { sealed: true as const } : {}) });
  }
  return files;
}

export async function readEnvironmentFile(environment: Environment, path: string): Promise<string> {
  const name = environment.manifest.name;
  const parts = path.split(/[\\/]/);
  if (path === '' || isAbsolute(path) || parts.some((part) => part === '..' || part === '.' || part.includes('\0'))) {
    throw new ResearchError(
      'bad_input',
      `"${path}" is not a file path inside environment ${name}; use a relative path`,
    );
  }
  const files = await listEnvironmentFiles(environment);
  const file = files.find((candidate) => candidate.path === path);
  if (!file) {
    const sample = files
      .slice(0, 20)
      .map((candidate) => candidate.path)
      .join(', ');
    throw new ResearchError('not_found', `environment ${name} has no file "${path}"; its files: ${sample}`);
  }
  if (file.sealed) {
    throw new ResearchError(
      'bad_input',
      `${path} is sealed: it is held-out data of environment ${name}, read only by the frozen evaluation and never ` +
        'served. Read the editable files instead; an edit that copies held-out text is refused',
      { details: { reason: 'sealed', path } },
    );
  }
  if (file.size > MAX_FILE_BYTES) {
    throw new ResearchError(
      'bad_input',
      `${path} is ${file.size} bytes; only files up to ${MAX_FILE_BYTES} bytes are served`,
    );
  }
  const content = await readFile(join(environment.dir, path));
  if (content.includes(0)) throw new ResearchError('bad_input', `${path} is a binary file; only text files are served`);
  return content.toString('utf8');
}

export async function getImplementation(deps: ServiceDeps, id: string): Promise<Implementation> {
  const implementation = await deps.store.implementations.get(id);
  if (!implementation) {
    throw new ResearchError('not_found', `no implementation ${id}; use an id returned by implement_idea`);
  }
  return implementation;
}

/** The canonical diff of a ready implementation; empty for a failed one. */
export async function readImplementationDiff(deps: ServiceDeps, id: string): Promise<string> {
  const implementation = await getImplementation(deps, id);
  return implementation.diffPath ? readArtifact(deps.config.home, implementation.diffPath) : '';
}

/** The training and evaluation logs of each run of an experiment (the end of each, when long). */
export async function readExperimentLogs(deps: ServiceDeps, id: string): Promise<ExperimentLog[]> {
  if (!(await deps.store.experiments.get(id))) {
    throw new ResearchError('not_found', `no experiment ${id}; use an id returned by run_experiment`);
  }
  const root = join(runsDir(deps.config), id);
  const runs = await readdir(root, { withFileTypes: true }).catch(() => []);
  const logs: ExperimentLog[] = [];
  for (const run of runs.filter((entry) => entry.isDirectory()).map((entry) => entry.name)) {
    for (const step of ['train', 'evaluate'] as const) {
      const buffer = await readFile(join(root, run, `${step}.log`)).catch(() => undefined);
      if (buffer === undefined) continue;
      const truncated = buffer.length > MAX_LOG_BYTES;
      logs.push({
        run,
        step,
        truncated,
        text: buffer.subarray(buffer.length - Math.min(buffer.length, MAX_LOG_BYTES)).toString('utf8'),
      });
    }
  }
  return logs.sort((a, b) =>
    a.run === b.run ? 0 : a.run === 'preflight' ? -1 : b.run === 'preflight' ? 1 : a.run.localeCompare(b.run),
  );
}

export async function getSearch(deps: ServiceDeps, id: string): Promise<Search> {
  const search = await deps.store.searches.get(id);
  if (!search)
    throw new ResearchError('not_found', `no search ${id}; use an id returned by run_search or list_searches`);
  return search;
}
