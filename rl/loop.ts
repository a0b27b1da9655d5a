// The RL loop: epoch after epoch, sample → execute → score → train, every stage stored so a killed run resumes.
import { errorMessage, ResearchError } from '../src/domain/errors.js';
import type { RlEpoch, RlRollout, RlRun } from '../src/domain/rl-records.js';
import type { Store } from '../src/store/store.js';
import { parseMitigations } from './mitigations.js';
import type { BasePrompt } from './prompt.js';
import { epochId, epochRollouts, getRun, newEpoch, saveEpoch, saveRun } from './run-store.js';
import { executeEpoch, sampleEpoch, scoreEpoch, trainingBatch } from './stages.js';
import type { Blobs, IdeaEvaluator, Policy, Trainer } from './types.js';

export interface LoopDeps {
  store: Store;
  blobs: Blobs;
  policy: Policy;
  evaluator: IdeaEvaluator;
  trainer: Trainer;
  /** The environment's one-idea prompt; dynamic-prompt appends past results to it. */
  basePrompt: BasePrompt;
  /** Rollouts sampled or evaluated at once. */
  concurrency: number;
  signal?: AbortSignal;
  /** After each stored change of the run (state, epoch): e.g. to mirror its status to a file. */
  onRunChange?: (run: RlRun) => Promise<void>;
  /** When an epoch's metrics are known (before its training step). */
  onMetrics?: (epoch: RlEpoch, run: RlRun) => void | Promise<void>;
  /** When an epoch is done and the trainer has announced the next policy. */
  onEpoch?: (epoch: RlEpoch, run: RlRun) => void | Promise<void>;
}

/** One epoch, from whatever stage it was left in. Returns the run moved on to the next epoch. */
async function runEpoch(deps: LoopDeps, run: RlRun): Promise<RlRun> {
  const mitigations = parseMitigations(run.options.mitigations);
  let epoch = (await deps.store.rlEpochs.get(epochId(run.id, run.epoch))) ?? newEpoch(run);
  const previous: RlRollout[] = run.epoch > 0 ? await epochRollouts(deps.store, run.id, run.epoch - 1) : [];
  if (epoch.state === 'sampling') epoch = await sampleEpoch(deps, run, epoch, mitigations, previous);
  if (epoch.state === 'executing') {
    await executeEpoch(deps, run, epoch);
    epoch = await scoreEpoch(deps, run, epoch, mitigations, previous);
    await deps.onMetrics?.(epoch, run);
  }
  if (epoch.state === 'training') {
    const trained = await deps.trainer.train(await trainingBatch(deps, run, epoch), deps.signal);
    epoch = await saveEpoch(deps.store, epoch, { state: 'done', next: trained });
  }
  const next = epoch.next ?? { policyVersion: run.policyVersion, model: run.model };
  const moved = await saveRun(deps.store, run, {
    epoch: run.epoch + 1,
    policyVersion: next.policyVersion,
    model: next.model,
  });
  await deps.onRunChange?.(moved);
  await deps.onEpoch?.(epoch, moved);
  return moved;
}

/**
 * Runs (or resumes) run `runId` until its last epoch is done. Ends `succeeded`; `stopped` when the signal
 * aborted; `failed` with the error otherwise (the error is rethrown). Finished rollouts are never run again.
 */
export async function runLoop(deps: LoopDeps, runId: string): Promise<RlRun> {
  let run = await getRun(deps.store, runId);
  if (run.state === 'succeeded' && run.epoch >= run.options.epochs) return run;
  run = { ...run, state: 'running', updatedAt: new Date().toISOString() };
  delete run.error;
  await deps.store.rlRuns.put(run);
  await deps.onRunChange?.(run);
  try {
    while (run.epoch < run.options.epochs) {
      if (deps.signal?.aborted) throw new ResearchError('cancelled', 'the RL run was interrupted');
      run = await runEpoch(deps, run);
    }
    run = await saveRun(deps.store, run, { state: 'succeeded' });
    await deps.onRunChange?.(run);
    return run;
  } catch (error) {
    const latest = (await deps.store.rlRuns.get(runId)) ?? run;
    const stopped = deps.signal?.aborted === true;
    run = await saveRun(deps.store, latest, {
      state: stopped ? 'stopped' : 'failed',
      error: stopped ? 'interrupted; "groundwork rl resume" carries on' : errorMessage(error),
    });
    await deps.onRunChange?.(run);
    if (stopped) return run;
    throw error;
  }
}
