// Use cases: read RL runs (rl/) and their per-epoch metrics from the store, for the CLI and the follow tool.
import { ResearchError } from '../domain/errors.js';
import type { RlEpoch, RlRun } from '../domain/rl-records.js';
import type { ServiceDeps } from './deps.js';

export interface RlRunView {
  run: RlRun;
  /** Epochs with metrics, oldest first (the one in progress has none until its ideas are scored). */
  epochs: RlEpoch[];
}

export async function getRlRun(deps: Pick<ServiceDeps, 'store'>, id: string): Promise<RlRunView> {
  const run = await deps.store.rlRuns.get(id);
  if (!run) throw new ResearchError('not_found', `no RL run ${id}; list the runs to find its id`);
  const epochs = await deps.store.rlEpochs.list((epoch) => epoch.runId === id);
  return { run, epochs: epochs.filter((epoch) => epoch.metrics !== undefined).sort((a, b) => a.epoch - b.epoch) };
}

export function listRlRuns(deps: Pick<ServiceDeps, 'store'>): Promise<RlRun[]> {
  return deps.store.rlRuns.list();
}
