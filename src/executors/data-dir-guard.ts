// What of the daemon's data directory a job may be shown: run folders, data and environments, never store or token.
import { isAbsolute, join, relative, resolve } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { JobSpec } from './executor.js';

/** Folders of the data directory a job may see (run folders, environment data, environments' code, RL runs). */
const SHOWN = ['runs', 'data', 'environments', 'rl'];

const inside = (path: string, folder: string): boolean => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The first path that would show a job the data directory's store, artifacts, token (daemon.json) or scratch space:
 * the data directory itself or a folder above it, or anything in it outside `runs/`, `data/` and `environments/`.
 */
export function dataDirExposure(paths: readonly string[], dataDir: string): string | undefined {
  const home = resolve(dataDir);
  for (const raw of paths) {
    if (!isAbsolute(raw)) continue;
    const path = resolve(raw);
    if (inside(home, path)) return path;
    if (inside(path, home) && !SHOWN.some((folder) => inside(path, join(home, folder)))) return path;
  }
  return undefined;
}

/** Every path a job is given: its mounts, its folder, its log, and absolute paths in its environment and command. */
export function jobPaths(spec: JobSpec): string[] {
  return [
    ...spec.writable,
    ...spec.readOnly,
    spec.cwd,
    ...Object.values(spec.env).flatMap((value) => value.split(':')),
    ...spec.command,
  ].filter((path) => isAbsolute(path));
}

/** Refuses a job that would be shown what no job may see of the data directory. */
export function refuseDataDirExposure(spec: JobSpec, dataDir: string | undefined): void {
  if (dataDir === undefined) return;
  const exposed = dataDirExposure(jobPaths(spec), dataDir);
  if (exposed) {
    throw new ResearchError(
      'executor',
      `job ${spec.jobId} would be shown ${exposed}, which exposes the data directory ${dataDir} (its store, ` +
        'artifacts or daemon token); jobs may only see its runs/, data/ and environments/ folders',
    );
  }
}
