// Pure state transitions of an experiment and its runs: starting, a run's outcome, ending, re-queueing, cancelling.
import type { Experiment, Failure, Run } from '../domain/records.js';
import type { Manifest } from '../environments/manifest.js';
import { experimentResult } from '../reward/compute-reward.js';
import type { RunOutcome } from './run-pipeline.js';

const now = (): string => new Date().toISOString();

/** Dispatched with `devices` (none for a CPU experiment). */
export function startExperiment(experiment: Experiment, devices: readonly string[]): void {
  experiment.state = 'running';
  if (devices.length > 0) experiment.devices = [...devices];
  else delete experiment.devices;
}

/** A queued seed run starts. */
export function startRun(record: Run): void {
  record.state = 'running';
  record.startedAt = now();
}

/** The executor failed the run in a way worth another try: count the attempt and forget its job. */
export function retryRun(record: Run): void {
  record.attempt += 1;
  delete record.handle;
}

/** A run ended: its metric, other metrics and training curve, or its failure. */
export function applyOutcome(record: Run, outcome: RunOutcome): void {
  record.endedAt = now();
  if (outcome.ok) {
    record.state = 'succeeded';
    record.metric = outcome.metric;
    record.metrics = outcome.metrics;
    if (outcome.curve.length > 0) record.curve = outcome.curve;
  } else {
    record.state = outcome.failure.category === 'cancelled' ? 'cancelled' : 'failed';
    record.failure = outcome.failure;
  }
}

/**
 * The experiment ends, failed or cancelled with `failure` or else succeeded. Runs still open end with it. With the
 * manifest it ran under, the reward of its succeeded runs is computed and stored (reward/compute-reward.ts).
 */
export function finish(
  experiment: Experiment,
  failure: Failure | undefined,
  manifest?: Pick<Manifest, 'metric' | 'baseline'>,
): void {
  for (const record of experiment.runs) {
    if (record.state === 'queued' || record.state === 'running') {
      record.state = failure?.category === 'cancelled' ? 'cancelled' : 'failed';
      record.failure ??= failure ?? { category: 'infrastructure', message: 'run did not finish', logTail: '' };
      record.endedAt = now();
    }
  }
  const result = manifest ? experimentResult(experiment, manifest) : undefined;
  if (result) experiment.result = result;
  if (failure) {
    experiment.state = failure.category === 'cancelled' ? 'cancelled' : 'failed';
    experiment.failure = failure;
  } else experiment.state = 'succeeded';
}

/** Cancelled by a user before it started. */
export function cancelQueued(experiment: Experiment): void {
  finish(experiment, { category: 'cancelled', message: 'cancelled before it started', logTail: '' });
}

/** Back to the queue after an interruption: runs that did not finish run again, with the attempt counted. */
export function requeue(experiment: Experiment): void {
  for (const record of experiment.runs) {
    if (record.state === 'running' || record.state === 'cancelled') {
      record.state = 'queued';
      record.attempt += 1;
      delete record.handle;
      delete record.failure;
      delete record.endedAt;
    }
  }
  if (experiment.preflight && !experiment.preflight.passed) delete experiment.preflight;
  delete experiment.failure;
  experiment.state = 'queued';
}

/** Its search stopped with the process that ran it: the experiment and its open runs end cancelled, saying why. */
export function cancelWithSearch(experiment: Experiment, searchId: string): void {
  const failure: Failure = { category: 'cancelled', message: `its search ${searchId} was interrupted`, logTail: '' };
  for (const record of experiment.runs) {
    if (record.state === 'queued' || record.state === 'running') Object.assign(record, { state: 'cancelled', failure });
  }
  experiment.state = 'cancelled';
  experiment.failure = failure;
}
