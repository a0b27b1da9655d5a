// The queue is the store: it survives restarts, respects concurrency, and says when it re-runs work.
import { afterEach, describe, expect, it } from 'vitest';

import type { PersistedJob } from '../../../src/domain/job-handle.js';
import type { Experiment } from '../../../src/domain/records.js';
import type { ResearchServer } from '../../../src/server.js';
import { createTestServer } from '../../helpers/test-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const EDIT = 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n';
const servers: ResearchServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The recorded training job of a dead daemon, whose process is gone. */
function goneJob(pid: number): PersistedJob {
  return { handle: { executor: 'local', jobId: 'gone', pid, startedAt: 0 }, step: 'train', frozen: {} };
}

async function open(home: string, concurrency = 1): Promise<ResearchServer> {
  const server = await createTestServer({
    home,
    config: { preflight: { smoke: false }, scheduler: { concurrency, killGraceSec: 1 } },
  });
  servers.push(server);
  return server;
}

describe('experiment queue', () => {
  it('runs experiments queued before a restart, and re-runs interrupted ones saying so', async () => {
    const home = await tempDir();
    const first = await open(home);
    const implementation = await first.services.implementIdea({
      idea: { text: 'wider' },
      environment: 'toy',
      edit: EDIT,
    });
    // A run a dead daemon left "running", and one still queued.
    const interrupted: Experiment = {
      ...(await first.services.runExperiment({ implementationId: implementation.id, profile: 'slow' })),
    };
    await first.services.cancelExperiment(interrupted.id).catch(() => undefined);
    await first.close();
    servers.splice(0);
    const { openLowdbStore } = await import('../../../src/store/lowdb-store.js');
    const store = await openLowdbStore(home);
    const now = new Date().toISOString();
    await store.experiments.put({
      ...interrupted,
      id: 'exp_interrupted',
      profile: 'default',
      state: 'running',
      failure: undefined,
      runs: [{ seed: 0, state: 'running', attempt: 1, handle: goneJob(2 ** 22 + 7) }],
      updatedAt: now,
    });
    await store.experiments.put({
      ...interrupted,
      id: 'exp_waiting',
      profile: 'default',
      state: 'queued',
      failure: undefined,
      runs: [{ seed: 0, state: 'queued', attempt: 1 }],
      updatedAt: now,
    });
    await store.close();

    const second = await open(home);
    const resumed = await second.services.waitForExperiment('exp_interrupted', 30_000);
    const waiting = await second.services.waitForExperiment('exp_waiting', 30_000);
    expect(resumed.state).toBe('succeeded');
    expect(resumed.runs[0]?.attempt).toBe(2);
    expect(waiting.state).toBe('succeeded');
    expect(waiting.runs[0]?.attempt).toBe(1);
  });

  it('after a restart, re-runs only the seeds that did not finish', async () => {
    const home = await tempDir();
    const first = await open(home);
    const implementation = await first.services.implementIdea({
      idea: { text: 'wider' },
      environment: 'toy',
      edit: EDIT,
    });
    const template = await first.services.runExperiment({ implementationId: implementation.id, seeds: [0] });
    await first.services.waitForExperiment(template.id, 30_000);
    await first.close();
    servers.splice(0);
    const { openLowdbStore } = await import('../../../src/store/lowdb-store.js');
    const store = await openLowdbStore(home);
    await store.experiments.put({
      ...((await store.experiments.get(template.id)) as Experiment),
      id: 'exp_half_done',
      state: 'running',
      result: undefined,
      runs: [
        { seed: 0, state: 'succeeded', attempt: 1, metric: 7.5 },
        { seed: 1, state: 'running', attempt: 1, handle: goneJob(2 ** 22 + 9) },
      ],
    });
    await store.close();
    const second = await open(home);
    const ended = await second.services.waitForExperiment('exp_half_done', 30_000);
    expect(ended.state).toBe('succeeded');
    expect(ended.runs.map((run) => [run.seed, run.attempt, run.metric])).toEqual([
      [0, 1, 7.5],
      [1, 2, expect.closeTo(1.01, 6)],
    ]);
  });

  it('puts running work back in the queue on a graceful shutdown instead of cancelling it', async () => {
    const home = await tempDir();
    const server = await open(home);
    const implementation = await server.services.implementIdea({
      idea: { text: 'wider' },
      environment: 'toy',
      edit: EDIT,
    });
    const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'slow' });
    await new Promise<void>((resolve) => {
      const stop = server.services.onExperimentUpdate((e) => {
        if (e.id === queued.id && e.runs[0]?.handle) {
          stop();
          resolve();
        }
      });
    });
    await server.close();
    servers.splice(0);
    const { openLowdbStore } = await import('../../../src/store/lowdb-store.js');
    const store = await openLowdbStore(home);
    const after = await store.experiments.get(queued.id);
    await store.close();
    expect(after?.state).toBe('queued');
    expect(after?.runs[0]).toMatchObject({ state: 'queued', attempt: 2 });
    expect(after?.failure).toBeUndefined();
  });

  it('never runs more experiments at once than the concurrency allows', async () => {
    const server = await open(await tempDir(), 2);
    const implementation = await server.services.implementIdea({
      idea: { text: 'wider' },
      environment: 'toy',
      edit: EDIT,
    });
    let running = 0;
    let peak = 0;
    const seen = new Map<string, string>();
    const stop = server.services.onExperimentUpdate((experiment) => {
      const before = seen.get(experiment.id);
      seen.set(experiment.id, experiment.state);
      if (before === experiment.state) return;
      if (experiment.state === 'running') running += 1;
      else if (before === 'running') running -= 1;
      peak = Math.max(peak, running);
    });
    const queued = await Promise.all(
      Array.from({ length: 5 }, (_, seed) =>
        server.services.runExperiment({ implementationId: implementation.id, seeds: [seed] }),
      ),
    );
    const ended = await Promise.all(
      queued.map((experiment) => server.services.waitForExperiment(experiment.id, 60_000)),
    );
    stop();
    expect(ended.map((experiment) => experiment.state)).toEqual(Array(5).fill('succeeded'));
    expect(peak).toBe(2);
    // Seeds change the toy's loss by 0.01 each: the metric comes from each run.
    expect(ended.map((experiment) => experiment.result?.metric.value.toFixed(2))).toEqual([
      '1.00',
      '1.01',
      '1.02',
      '1.03',
      '1.04',
    ]);
  });

  it('averages several seeds into one reward with their spread', async () => {
    const server = await open(await tempDir());
    const implementation = await server.services.implementIdea({
      idea: { text: 'wider' },
      environment: 'toy',
      edit: EDIT,
    });
    const queued = await server.services.runExperiment({ implementationId: implementation.id, seeds: [0, 1, 2] });
    const ended = await server.services.waitForExperiment(queued.id, 60_000);
    expect(ended.result?.metric.seeds).toBe(3);
    expect(ended.result?.metric.value).toBeCloseTo(1.01, 6);
    expect(ended.result?.metric.std).toBeCloseTo(0.01, 6);
  });

  it('refuses to run a failed implementation, an unknown profile or bad seeds, storing nothing', async () => {
    const server = await open(await tempDir());
    const refused = await server.services.implementIdea({
      idea: { text: 'touch the harness' },
      environment: 'toy',
      edit: 'harness/evaluate.py\n<<<<<<< SEARCH\nimport json\n=======\nimport json, os\n>>>>>>> REPLACE\n',
    });
    expect(refused.status).toBe('failed');
    expect(refused.error?.category).toBe('edit_refused');
    expect(refused.error?.message).toMatch(/frozen/);
    await expect(server.services.runExperiment({ implementationId: refused.id })).rejects.toThrow(
      /implement the idea again/,
    );
    const ready = await server.services.implementIdea({ idea: { text: 'wider' }, environment: 'toy', edit: EDIT });
    await expect(server.services.runExperiment({ implementationId: ready.id, profile: 'turbo' })).rejects.toThrow(
      /no profile "turbo"/,
    );
    await expect(server.services.runExperiment({ implementationId: ready.id, seeds: [-1] })).rejects.toThrow(/seeds/);
    await expect(server.services.runExperiment({ implementationId: 'impl_nope' })).rejects.toThrow(
      /no implementation impl_nope/,
    );
    expect((await server.services.counts()).experiments).toBe(0);
  });
});
