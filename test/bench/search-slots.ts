// Benchmark: the share of slot time spent running jobs during a simulated search on 8 simulated GPUs (fake executor,
// fake ideator and implementer that take a model call's time), in steady and in epochs mode, with the same seeds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { loadConfig } from '../../src/config/load-config.js';
import type { JobSpec } from '../../src/executors/executor.js';
import { createFakeExecutor } from '../../src/executors/fake.js';
import type { Ideator } from '../../src/ideation/ideator.js';
import type { Implementer } from '../../src/implementer/implementer.js';
import { createResearchServer } from '../../src/server.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../../src/util/logger.js';
import { createRandom } from '../../src/util/random.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/environments');

export interface SearchSlotOptions {
  gpus?: number;
  epochs?: number;
  batchSize?: number;
  /** Training jobs last from minMs to 3 × minMs. */
  minMs?: number;
  /** One ideator call, and one implementer call. */
  ideatorMs?: number;
  implementerMs?: number;
  seed?: number;
}

export interface SearchSlotBench {
  busyShare: number;
  makespanMs: number;
  jobs: number;
  /** When the first and the last training job started, from the search's start. */
  firstStartMs: number;
  lastStartMs: number;
  /** When the last training job ended, from the search's start. */
  lastEndMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Runs one simulated search; returns the share of slot time (8 slots × start-to-end) jobs were running. */
export async function benchSearchSlots(
  mode: 'steady' | 'epochs',
  options: SearchSlotOptions = {},
): Promise<SearchSlotBench> {
  const {
    gpus = 8,
    epochs = 8,
    batchSize = 16,
    minMs = 1000,
    ideatorMs = 400,
    implementerMs = 200,
    seed = 11,
  } = options;
  const durations = createRandom(seed);
  const metrics = createRandom(seed + 1);
  let busy = 0;
  const spans: [number, number][] = [];
  let jobs = 0;
  const executor = createFakeExecutor((spec: JobSpec) => {
    if (spec.jobId.endsWith('-evaluate')) {
      const metric = 1 + metrics.next();
      return { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: JSON.stringify({ metric }) } };
    }
    const delayMs = minMs * (1 + 2 * durations.next());
    busy += delayMs;
    jobs++;
    const now = performance.now();
    spans.push([now, now + delayMs]);
    return { delayMs };
  });
  let counter = 0;
  const ideator: Ideator = {
    name: 'bench',
    model: 'bench',
    async propose(request) {
      await sleep(ideatorMs);
      return Array.from({ length: request.count }, () => {
        const n = ++counter;
        return { title: `idea ${n}`, text: `set value to ${n + 1} (idea number ${n}, variant ${n * 7919})` };
      });
    },
  };
  const implementer: Implementer = {
    name: 'bench',
    deterministic: true,
    async writeEdit(request) {
      await sleep(implementerMs);
      const n = /idea number (\d+)/.exec(request.idea.text)?.[1] ?? '0';
      return `settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = ${Number(n) + 1}\n>>>>>>> REPLACE\n`;
    },
  };
  const home = await mkdtemp(join(tmpdir(), 'bench-search-'));
  const config = loadConfig({
    env: {},
    configFile: null,
    overrides: { home, environmentDirs: [FIXTURES], preflight: { smoke: false }, scheduler: { gpus } },
  });
  const server = await createResearchServer(config, {
    log: silentLogger,
    executor,
    ideator,
    implementer,
    store: createMemoryStore(),
  });
  try {
    const started = performance.now();
    const search = await server.services.startSearch({
      environment: 'gpu-noop',
      strategy: 'evolutionary',
      options: { epochs, batchSize, mode, certifySeeds: 0 },
      seed,
    });
    const ended = await server.services.waitForSearch(search.id);
    const makespanMs = performance.now() - started;
    if (ended.state !== 'succeeded') throw new Error(`bench search ${ended.state}: ${ended.error ?? ''}`);
    const firstStart = Math.min(...spans.map(([start]) => start)) - started;
    const lastStart = Math.max(...spans.map(([start]) => start)) - started;
    const lastEnd = Math.max(...spans.map(([, end]) => end)) - started;
    return {
      busyShare: busy / (gpus * makespanMs),
      makespanMs,
      jobs,
      firstStartMs: firstStart,
      lastStartMs: lastStart,
      lastEndMs: lastEnd,
    };
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}
