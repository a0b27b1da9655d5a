// Benchmark: how long GPU slots sit idle in a 200-job run on 8 simulated GPUs, against the ideal makespan.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { loadConfig } from '../../src/config/load-config.js';
import type { JobSpec } from '../../src/executors/executor.js';
import { createFakeExecutor } from '../../src/executors/fake.js';
import { createResearchServer } from '../../src/server.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../../src/util/logger.js';
import { createRandom } from '../../src/util/random.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/environments');

export interface GpuSlotBench {
  jobs: number;
  gpus: number;
  makespanMs: number;
  /** max(total job time / GPUs, longest job): no schedule can finish sooner. */
  idealMs: number;
  /** The same jobs in queue order, each on the first free GPU, with no overhead at all. */
  zeroOverheadMs: number;
  /** Slot time with no job on it, as a share of all slot time. */
  idleShare: number;
  /** makespan / ideal − 1. */
  overIdeal: number;
  /** Median time from a training job's end to the next training job's start on the same GPU. */
  handoverMs: number;
}

/** Makespan of greedy list scheduling: each job, in order, starts on the GPU that frees first. */
function listSchedule(durations: readonly number[], gpus: number): number {
  const freeAt = Array<number>(gpus).fill(0);
  for (const duration of durations) {
    const slot = freeAt.indexOf(Math.min(...freeAt));
    freeAt[slot] = (freeAt[slot] as number) + duration;
  }
  return Math.max(...freeAt);
}

function medianHandover(spans: { device: string; start: number; end: number }[]): number {
  const gaps: number[] = [];
  for (const device of new Set(spans.map((span) => span.device))) {
    const sorted = spans.filter((span) => span.device === device).sort((a, b) => a.start - b.start);
    sorted.forEach((span, i) => i > 0 && gaps.push(span.start - (sorted[i - 1] as typeof span).end));
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 0;
}

/** `jobs` single-GPU experiments with training times drawn from [minMs, maxMs], all queued at once. */
export async function benchGpuSlots(
  jobs = 200,
  gpus = 8,
  minMs = 500,
  maxMs = 1500,
  memory = false,
): Promise<GpuSlotBench> {
  const random = createRandom(7);
  const durations = Array.from({ length: jobs }, () => minMs + random.next() * (maxMs - minMs));
  const busy: number[] = [];
  const spans: { device: string; start: number; end: number }[] = [];
  let next = 0;
  const executor = createFakeExecutor((spec: JobSpec) => {
    if (spec.jobId.endsWith('-evaluate')) {
      return { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: '{"metric": 1}' } };
    }
    const delayMs = durations[next++] as number;
    busy.push(delayMs);
    const start = performance.now();
    spans.push({ device: spec.devices[0] as string, start, end: start + delayMs });
    return { delayMs };
  });
  const home = await mkdtemp(join(tmpdir(), 'bench-gpus-'));
  const config = loadConfig({
    env: {},
    configFile: null,
    overrides: { home, environmentDirs: [FIXTURES], preflight: { smoke: false }, scheduler: { gpus } },
  });
  const server = await createResearchServer(config, {
    log: silentLogger,
    executor,
    ...(memory ? { store: createMemoryStore() } : {}),
  });
  try {
    const implementation = await server.services.implementIdea({
      idea: { text: 'bench' },
      environment: 'gpu-noop',
      edit: 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n',
    });
    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < jobs; i++) {
      ids.push((await server.services.runExperiment({ implementationId: implementation.id })).id);
    }
    const ended = await Promise.all(ids.map((id) => server.services.waitForExperiment(id, 600_000)));
    const makespanMs = performance.now() - started;
    const failed = ended.filter((e) => e.state !== 'succeeded');
    if (failed.length > 0) throw new Error(`bench: ${failed.length} experiments did not succeed`);
    const total = busy.reduce((sum, value) => sum + value, 0);
    const idealMs = Math.max(total / gpus, Math.max(...busy));
    return {
      jobs,
      gpus,
      makespanMs,
      idealMs,
      zeroOverheadMs: listSchedule(durations, gpus),
      handoverMs: medianHandover(spans),
      idleShare: 1 - total / (gpus * makespanMs),
      overIdeal: makespanMs / idealMs - 1,
    };
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}
