// The scheduler's pure state transitions: a run's outcome (with its curve), the end with its reward, re-queueing.
import { describe, expect, it } from 'vitest';

import type { Experiment } from '../../../src/domain/records.js';
import {
  applyOutcome,
  cancelQueued,
  cancelWithSearch,
  finish,
  requeue,
  retryRun,
  startExperiment,
  startRun,
} from '../../../src/scheduler/experiment-state.js';

const JOB = { handle: { executor: 'fake' as const, jobId: 'j' }, step: 'train' as const, frozen: {} };
const MANIFEST = {
  metric: { name: 'loss', direction: 'min' as const },
  baseline: { value: 2, std: 0.1, runs: 3, profile: 'default' },
};

function experiment(profile = 'default'): Experiment {
  return {
    id: 'exp_1',
    schemaVersion: 1,
    implementationId: 'impl_1',
    ideaId: 'idea_1',
    environment: 'toy',
    profile,
    state: 'queued',
    runs: [0, 1].map((seed) => ({ seed, state: 'queued' as const, attempt: 1 })),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('experiment state', () => {
  it('keeps each run’s metric and curve, and stores the reward and baseline comparison when it ends', () => {
    const e = experiment();
    startExperiment(e, ['0']);
    expect(e).toMatchObject({ state: 'running', devices: ['0'] });
    for (const [index, run] of e.runs.entries()) {
      startRun(run);
      run.handle = JOB;
      applyOutcome(run, {
        ok: true,
        metric: 1.5 + index,
        metrics: { acc: 1 },
        curve: [
          [0, 3],
          [1, 1.5 + index],
        ],
      });
    }
    expect(e.runs[1]).toMatchObject({
      state: 'succeeded',
      metric: 2.5,
      curve: [
        [0, 3],
        [1, 2.5],
      ],
    });
    finish(e, undefined, MANIFEST);
    expect(e.state).toBe('succeeded');
    expect(e.result).toEqual({
      metric: { name: 'loss', value: 2, direction: 'min', std: Math.SQRT1_2, seeds: 2 },
      reward: 0.5,
      baseline: { value: 2, std: 0.1, delta: 0, improved: false, beyondNoise: false, profile: 'default' },
    });
  });

  it('compares with the baseline only under the profile it was measured with', () => {
    const e = experiment('smoke');
    applyOutcome(e.runs[0] as Experiment['runs'][number], { ok: true, metric: 4, metrics: {}, curve: [] });
    expect(e.runs[0]?.curve).toBeUndefined();
    finish(e, undefined, { ...MANIFEST, metric: { ...MANIFEST.metric, reward: 'negate' } });
    expect(e.result?.reward).toBe(-4);
    expect(e.result?.baseline).toBeUndefined();
    // The run that never ran ends with the experiment.
    expect(e.runs[1]).toMatchObject({ state: 'failed', failure: { category: 'infrastructure' } });
  });

  it('re-queues an interrupted experiment, counting the attempts of unfinished runs', () => {
    const e = experiment();
    startExperiment(e, []);
    e.preflight = { passed: false, handle: JOB };
    startRun(e.runs[0] as Experiment['runs'][number]);
    (e.runs[0] as Experiment['runs'][number]).handle = JOB;
    retryRun(e.runs[0] as Experiment['runs'][number]);
    expect(e.runs[0]).toMatchObject({ attempt: 2 });
    expect(e.runs[0]?.handle).toBeUndefined();
    requeue(e);
    expect(e.state).toBe('queued');
    expect(e.preflight).toBeUndefined();
    expect(e.runs.map((run) => [run.state, run.attempt])).toEqual([
      ['queued', 3],
      ['queued', 1],
    ]);
  });

  it('cancels a queued experiment, and the experiments of an interrupted search', () => {
    const queued = experiment();
    cancelQueued(queued);
    expect(queued).toMatchObject({ state: 'cancelled', failure: { message: 'cancelled before it started' } });
    expect(queued.runs.every((run) => run.state === 'cancelled')).toBe(true);
    const orphan = experiment();
    cancelWithSearch(orphan, 'search_1');
    expect(orphan).toMatchObject({ state: 'cancelled', failure: { message: 'its search search_1 was interrupted' } });
    expect(orphan.runs.every((run) => run.state === 'cancelled')).toBe(true);
  });
});
