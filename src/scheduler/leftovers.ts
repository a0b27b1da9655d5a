// What a run folder keeps once its run ended: its logs and out/ only. The workspace, checkpoint, homes and the
// harness copy (held-out data included) go, whether the run succeeded, failed, was cancelled or interrupted.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { errorMessage } from '../domain/errors.js';
import type { SchedulerContext } from './context.js';

/** The scratch folders of a run folder (see runPaths in run-pipeline.ts); the harness copy is never kept. */
const SCRATCH = ['workspace', 'checkpoint', 'home', 'evaluate-home'];
const HARNESS = 'harness';

/**
 * Reduces one run folder to its logs and out/. `keepWorkspace` (config keepWorkspaces, for debugging) keeps the
 * scratch folders, but never the harness copy: no copy of held-out data outlives its evaluation step.
 */
export async function reduceRunFolder(runDir: string, keepWorkspace: boolean): Promise<void> {
  const names = keepWorkspace ? [HARNESS] : [...SCRATCH, HARNESS];
  await Promise.all(names.map((name) => rm(join(runDir, name), { recursive: true, force: true })));
}

/**
 * After a restart: every run folder except those of experiments whose job is being re-attached to is reduced to its
 * logs (an interrupted run left its workspace and harness copy behind). Returns how many folders it reduced.
 */
export async function sweepRunFolders(
  { deps }: SchedulerContext,
  keepExperimentIds: ReadonlySet<string>,
): Promise<number> {
  let reduced = 0;
  const experiments = await readdir(deps.runsDir, { withFileTypes: true }).catch(() => []);
  for (const experiment of experiments) {
    if (!experiment.isDirectory() || keepExperimentIds.has(experiment.name)) continue;
    const root = join(deps.runsDir, experiment.name);
    for (const run of await readdir(root, { withFileTypes: true }).catch(() => [])) {
      if (!run.isDirectory()) continue;
      const runDir = join(root, run.name);
      const entries = await readdir(runDir).catch(() => [] as string[]);
      const leftover = entries.some((name) => name === HARNESS || (!deps.keepWorkspaces && SCRATCH.includes(name)));
      if (!leftover) continue;
      try {
        await reduceRunFolder(runDir, deps.keepWorkspaces);
        reduced += 1;
      } catch (error) {
        deps.log.warn('could not clean a run folder left by a previous daemon', { runDir, error: errorMessage(error) });
      }
    }
  }
  return reduced;
}
