// Where run folders (workspaces, logs, results) and environment data live: under the data directory, or on the
// cluster's shared path.
import { join } from 'node:path';

import type { Config } from './schema.js';

/** Slurm jobs run on other machines, so their run folders must be on `executor.slurm.sharedDir`. */
export function runsDir(config: Pick<Config, 'home' | 'executor'>): string {
  const shared = config.executor.kind === 'slurm' ? config.executor.slurm.sharedDir : undefined;
  return shared ? join(shared, 'runs') : join(config.home, 'runs');
}

/** Environment data (shards, weights): `dataDir` when set, else next to the run folders, where the jobs can see it. */
export function dataDir(config: Pick<Config, 'home' | 'executor' | 'dataDir'>): string {
  if (config.dataDir) return config.dataDir;
  const shared = config.executor.kind === 'slurm' ? config.executor.slurm.sharedDir : undefined;
  return join(shared ?? config.home, 'data');
}
