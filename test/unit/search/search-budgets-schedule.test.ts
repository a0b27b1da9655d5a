// The search runner's budgets (ideas, GPU-hours, wall-clock) end a search cleanly with `stopped.budget`, and the
// exploit share of its ideas follows the paper's schedule (50 % rising to 80 %) in steady and in epochs mode.
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { JobSpec } from '../../../src/executors/executor.js';
import { createFakeExecutor } from '../../../src/executors/fake.js';
import type { ResearchServer } from '../../../src/server.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { createRandom } from '../../../src/util/random.js';
import { createTestServer } from '../../helpers/test-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const servers: ResearchServer[] = [];
const store = { current: createMemoryStore() };
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Every candidate beats tiny-lm's baseline (val_loss 1.88), so every one is an eligible parent. */
async function open(delayMs = 20): Promise<ResearchServer> {
  const random = createRandom(5);
  const executor = createFakeExecutor((spec: JobSpec) => {
    if (spec.jobId.endsWith('-evaluate')) {
      const metric = 0.5 + random.next() * 0.5;
      return { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: JSON.stringify({ metric }) } };
    }
    return { delayMs };
  });
  store.current = createMemoryStore();
  const server = await createTestServer({
    home: await tempDir(),
    config: { preflight: { smoke: false }, scheduler: { concurrency: 3, killGraceSec: 1 } },
    overrides: { store: store.current, executor },
  });
  servers.push(server);
  return server;
}

describe('search budgets', () => {
  it('stops at the ideas budget', async () => {
    const server = await open();
    const search = await server.services.startSearch({
      environment: 'tiny-lm',
      options: { epochs: 3, batchSize: 3, certifySeeds: 0, maxIdeas: 4 },
    });
    const ended = await server.services.waitForSearch(search.id);
    expect(ended.state).toBe('succeeded');
    expect(ended.stopped?.budget).toBe('ideas');
    expect((await server.services.searchStatus(search.id)).counts.ideas).toBe(4);
  }, 60_000);

  it('stops at the wall-clock budget before starting new work', async () => {
    const server = await open();
    const search = await server.services.startSearch({
      environment: 'tiny-lm',
      options: { epochs: 3, batchSize: 3, certifySeeds: 0, budgetHours: 1e-7 },
    });
    const ended = await server.services.waitForSearch(search.id);
    expect(ended.state).toBe('succeeded');
    expect(ended.stopped?.budget).toBe('wall_clock');
    expect((await server.services.searchStatus(search.id)).counts.ideas).toBe(0);
  }, 60_000);

  it.each(['steady', 'epochs'] as const)(
    'stops at the GPU-hours budget (%s)',
    async (mode) => {
      const server = await open(200);
      const search = await server.services.startSearch({
        environment: 'tiny-lm',
        options: { epochs: 6, batchSize: 3, certifySeeds: 0, budgetGpuHours: 1e-6, mode },
      });
      const ended = await server.services.waitForSearch(search.id);
      expect(ended.state).toBe('succeeded');
      expect(ended.stopped?.budget).toBe('gpu_hours');
      const status = await server.services.searchStatus(search.id);
      expect(status.counts.ideas).toBeGreaterThan(0);
      expect(status.counts.ideas).toBeLessThan(18);
      // Work already started is not stopped: every experiment ended on its own.
      expect(status.experiments.every((e) => e.state === 'succeeded' || e.state === 'failed')).toBe(true);
    },
    60_000,
  );
});

describe('exploit schedule', () => {
  it.each(['steady', 'epochs'] as const)(
    'rises from half the ideas towards 80 percent in %s mode',
    async (mode) => {
      const server = await open();
      const search = await server.services.startSearch({
        environment: 'tiny-lm',
        options: { epochs: 6, batchSize: 6, certifySeeds: 0, mode },
      });
      const ended = await server.services.waitForSearch(search.id);
      expect(ended.state, ended.error).toBe('succeeded');
      const ideas = await store.current.ideas.list((idea) => idea.searchId === search.id && idea.arm !== 'control');
      const share = (from: number, to: number): number => {
        const inRange = ideas.filter((idea) => (idea.epoch ?? 0) >= from && (idea.epoch ?? 0) <= to);
        return inRange.filter((idea) => idea.origin.kind === 'exploit').length / Math.max(1, inRange.length);
      };
      expect(ideas.filter((idea) => (idea.epoch ?? 0) === 0).every((idea) => idea.origin.kind === 'seed')).toBe(true);
      expect(share(1, 1)).toBeGreaterThanOrEqual(0.3);
      expect(share(1, 1)).toBeLessThanOrEqual(0.7);
      expect(share(4, 5)).toBeGreaterThanOrEqual(0.55);
      expect(share(4, 5)).toBeGreaterThan(share(1, 1));
    },
    120_000,
  );
});

describe('leaderboard seed marks', () => {
  it('marks certified results and single-seed ones', async () => {
    const server = await open();
    const search = await server.services.startSearch({
      environment: 'tiny-lm',
      options: { epochs: 2, batchSize: 3, certifySeeds: 2 },
    });
    expect((await server.services.waitForSearch(search.id)).state).toBe('succeeded');
    const rows = await server.services.leaderboard({ searchId: search.id });
    const succeeded = rows.filter((row) => row.state === 'succeeded');
    expect(succeeded.some((row) => row.certified === true && (row.seeds ?? 0) >= 3)).toBe(true);
    expect(succeeded.every((row) => row.seeds !== undefined && typeof row.certified === 'boolean')).toBe(true);
    expect(succeeded.filter((row) => !row.certified).every((row) => (row.seeds ?? 0) >= 1)).toBe(true);
  }, 60_000);
});
