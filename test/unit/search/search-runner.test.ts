// The search runner on the fake executor: steady mode with a control arm and certification, and a resume after a
// shutdown mid-search that runs every candidate exactly once.
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { JobSpec } from '../../../src/executors/executor.js';
import { createFakeExecutor } from '../../../src/executors/fake.js';
import type { ResearchServer } from '../../../src/server.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/store.js';
import { createRandom } from '../../../src/util/random.js';
import { createTestServer } from '../../helpers/test-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const servers: ResearchServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function fakeExecutor(delayMs: number) {
  const random = createRandom(3);
  return createFakeExecutor((spec: JobSpec) => {
    if (spec.jobId.endsWith('-evaluate')) {
      const metric = 0.5 + random.next() * 0.1;
      return { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: JSON.stringify({ metric }) } };
    }
    return { delayMs };
  });
}

async function open(home: string, store: Store, delayMs: number): Promise<ResearchServer> {
  const server = await createTestServer({
    home,
    config: { preflight: { smoke: false }, scheduler: { concurrency: 3, killGraceSec: 1 } },
    overrides: { store: { ...store, close: async () => undefined }, executor: fakeExecutor(delayMs) },
  });
  servers.push(server);
  return server;
}

function candidatesOnce(status: Awaited<ReturnType<ResearchServer['services']['searchStatus']>>): void {
  const perIdea = new Map<string, number>();
  for (const e of status.experiments.filter((x) => x.role === 'candidate')) {
    perIdea.set(e.idea_id, (perIdea.get(e.idea_id) ?? 0) + 1);
  }
  expect([...perIdea.values()].every((n) => n === 1)).toBe(true);
}

describe('search runner', () => {
  it('runs a steady search with a control arm and certification, and reports it', async () => {
    const server = await open(await tempDir(), createMemoryStore(), 50);
    const search = await server.services.startSearch({
      environment: 'tiny-lm',
      strategy: 'evolutionary',
      options: { epochs: 2, batchSize: 3, control: 'best-of-n', certifySeeds: 2 },
    });
    const ended = await server.services.waitForSearch(search.id);
    expect(ended.state).toBe('succeeded');
    const status = await server.services.searchStatus(search.id);
    expect(status.counts.ideas).toBe(6);
    candidatesOnce(status);
    expect(status.experiments.some((e) => e.role === 'control')).toBe(true);
    expect(status.experiments.some((e) => e.role === 'certification')).toBe(true);
    const report = await server.services.searchReport(search.id);
    expect(Object.keys(report).sort()).toEqual(
      ['baseline', 'best', 'control', 'cost', 'generations', 'id', 'lift', 'lineage', 'state'].sort(),
    );
    expect(report.control?.strategy).toBe('best-of-n');
    expect(typeof report.lift).toBe('number');
    expect(report.best?.seeds).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('resumes a search paused mid-way: finished experiments kept, every candidate run exactly once', async () => {
    const home = await tempDir();
    const store = createMemoryStore();
    const first = await open(home, store, 1500);
    const search = await first.services.startSearch({
      environment: 'tiny-lm',
      options: { epochs: 2, batchSize: 3, certifySeeds: 0 },
    });
    // Stop once the first candidates have finished and before the rest can (each fake run takes 1.5 s).
    const finishedOne = async (): Promise<boolean> =>
      (await store.experiments.list((e) => e.searchId === search.id && e.state === 'succeeded')).length > 0;
    while (!(await finishedOne())) await new Promise((resolve) => setTimeout(resolve, 50));
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    expect((await store.searches.get(search.id))?.state).toBe('paused');
    const second = await open(home, store, 50);
    await second.services.resumeSearch(search.id);
    const ended = await second.services.waitForSearch(search.id);
    expect(ended.state).toBe('succeeded');
    const status = await second.services.searchStatus(search.id);
    expect(status.counts.ideas).toBe(6);
    candidatesOnce(status);
    expect(status.experiments.filter((e) => e.role === 'candidate' && e.state === 'succeeded').length).toBeGreaterThan(
      0,
    );
  }, 60_000);
});
