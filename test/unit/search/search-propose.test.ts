// A steady search keeps at most PROPOSALS_IN_FLIGHT ideator calls of its own in flight, and merges requests that wait
// for a call (same kind, same parents) into one call: slots are not held back one call at a time. A merged call that
// gives fewer ideas than asked loses no candidate: the requests it could not serve wait for the next call.
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { JobSpec } from '../../../src/executors/executor.js';
import { createFakeExecutor } from '../../../src/executors/fake.js';
import type { Ideator } from '../../../src/ideation/ideator.js';
import type { Implementer } from '../../../src/implementer/implementer.js';
import { PROPOSALS_IN_FLIGHT } from '../../../src/search/search-propose.js';
import type { ResearchServer } from '../../../src/server.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { createTestServer } from '../../helpers/test-server.js';

const servers: ResearchServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

interface Counting {
  ideator: Ideator;
  calls: number[];
  mostInFlight(): number;
}

/** An ideator that takes 60 ms per call and answers `answer(count)` distinct ideas. */
function countingIdeator(answer: (count: number) => number): Counting {
  let inFlight = 0;
  let most = 0;
  let counter = 0;
  const calls: number[] = [];
  const ideator: Ideator = {
    name: 'counting',
    model: 'counting',
    async propose(request) {
      inFlight++;
      most = Math.max(most, inFlight);
      calls.push(request.count);
      await sleep(60);
      inFlight--;
      return Array.from({ length: answer(request.count) }, () => {
        const n = ++counter;
        return { title: `idea ${n}`, text: `set value to ${n + 1} (idea number ${n}, variant ${n * 7919})` };
      });
    },
  };
  return { ideator, calls, mostInFlight: () => most };
}

const implementer: Implementer = {
  name: 'counting',
  deterministic: true,
  async writeEdit(request) {
    const n = /idea number (\d+)/.exec(request.idea.text)?.[1] ?? '0';
    return `settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = ${Number(n) + 1}\n>>>>>>> REPLACE\n`;
  },
};

/** A steady search of 3 generations × 6 candidates on 6 simulated GPUs; returns its status. */
async function runSearch(ideator: Ideator) {
  let metric = 0;
  const executor = createFakeExecutor((spec: JobSpec) => {
    if (!spec.jobId.endsWith('-evaluate')) return { delayMs: 30 };
    metric += 0.01;
    return { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: JSON.stringify({ metric }) } };
  });
  const server = await createTestServer({
    config: { preflight: { smoke: false }, scheduler: { gpus: 6 } },
    overrides: { store: createMemoryStore(), executor, ideator, implementer },
  });
  servers.push(server);
  const search = await server.services.startSearch({
    environment: 'gpu-noop',
    options: { epochs: 3, batchSize: 6, certifySeeds: 0, mode: 'steady' },
  });
  const ended = await server.services.waitForSearch(search.id);
  expect(ended.state, ended.error).toBe('succeeded');
  expect(ended.stopped).toBeUndefined();
  return server.services.searchStatus(search.id);
}

function expectEachCandidateOnce(status: Awaited<ReturnType<typeof runSearch>>): void {
  expect(status.counts.ideas).toBe(18);
  const candidates = status.experiments.filter((e) => e.role === 'candidate');
  expect(candidates).toHaveLength(18);
  expect(new Set(candidates.map((e) => e.idea_id)).size).toBe(18);
}

describe('proposals of a steady search', () => {
  it('runs at most two ideator calls at once and merges waiting requests, each idea run exactly once', async () => {
    const counting = countingIdeator((count) => count);
    expectEachCandidateOnce(await runSearch(counting.ideator));
    expect(counting.mostInFlight()).toBeLessThanOrEqual(PROPOSALS_IN_FLIGHT);
    // The first requests of the search arrive together: they share one call.
    expect(counting.calls[0]).toBeGreaterThan(1);
    expect(counting.calls.length).toBeLessThan(18);
  }, 60_000);

  it('loses no candidate when a merged call answers fewer ideas than asked', async () => {
    const counting = countingIdeator((count) => Math.max(1, count - 1));
    expectEachCandidateOnce(await runSearch(counting.ideator));
    expect(counting.calls.some((count) => count > 1)).toBe(true);
  }, 60_000);
});
