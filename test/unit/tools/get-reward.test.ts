// get_reward's bounded wait: progress while it waits, an end on time, on the experiment's end, or on cancellation.
import { EventEmitter } from 'node:events';

import { describe, expect, it } from 'vitest';

import type { Experiment } from '../../../src/domain/records.js';
import type { ResearchServices } from '../../../src/services/research-services.js';
import type { ToolContext } from '../../../tools/define-tool.js';
import { getReward } from '../../../tools/get-reward.js';

function experiment(state: Experiment['state']): Experiment {
  return {
    id: 'exp_1',
    schemaVersion: 1,
    implementationId: 'impl_1',
    ideaId: 'idea_1',
    environment: 'toy',
    profile: 'default',
    state,
    runs: [{ seed: 0, state, attempt: 1 }],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** Services whose experiment ends when `finish` is called. */
function fakeServices() {
  const events = new EventEmitter();
  let current = experiment('running');
  const services = {
    getExperiment: async () => current,
    onExperimentUpdate: (listener: (e: Experiment) => void) => {
      events.on('update', listener);
      return () => events.off('update', listener);
    },
    waitForExperiment: (_id: string, timeoutMs: number, signal?: AbortSignal) =>
      new Promise<Experiment>((resolve) => {
        const timer = setTimeout(() => resolve(current), timeoutMs);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(current);
        });
        events.on('update', (e: Experiment) => {
          if (e.state !== 'succeeded') return;
          clearTimeout(timer);
          resolve(e);
        });
      }),
  } as unknown as ResearchServices;
  const update = (state: Experiment['state']): void => {
    current = experiment(state);
    events.emit('update', current);
  };
  return { services, update };
}

function context(services: ResearchServices, signal = new AbortController().signal) {
  const progress: { progress: number; total?: number; message?: string }[] = [];
  const ctx: ToolContext = {
    services,
    signal,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    progress: async (value, total, message) => void progress.push({ progress: value, total, message }),
  };
  return { ctx, progress };
}

describe('get_reward', () => {
  it('returns at once without wait_seconds', async () => {
    const { services } = fakeServices();
    const { ctx, progress } = context(services);
    const output = await getReward.handle(ctx, { experiment_id: 'exp_1' });
    expect(output.status).toBe('running');
    expect(progress).toEqual([]);
  });

  it('reports increasing progress while it waits and returns when the experiment ends', async () => {
    const { services, update } = fakeServices();
    const { ctx, progress } = context(services);
    const pending = getReward.handle(ctx, { experiment_id: 'exp_1', wait_seconds: 10 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    update('running');
    update('succeeded');
    const output = await pending;
    expect(output.status).toBe('succeeded');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]?.progress).toBeGreaterThan(progress[i - 1]?.progress as number);
    }
    expect(progress[0]).toMatchObject({ total: 10 });
    expect(progress[0]?.message).toContain('exp_1 running');
  });

  it('gives up after wait_seconds, and at once when the call is cancelled', async () => {
    const { services } = fakeServices();
    const started = Date.now();
    expect((await getReward.handle(context(services).ctx, { experiment_id: 'exp_1', wait_seconds: 0.2 })).status).toBe(
      'running',
    );
    expect(Date.now() - started).toBeLessThan(2000);
    const controller = new AbortController();
    const pending = getReward.handle(context(services, controller.signal).ctx, {
      experiment_id: 'exp_1',
      wait_seconds: 30,
    });
    controller.abort();
    expect((await pending).status).toBe('running');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
