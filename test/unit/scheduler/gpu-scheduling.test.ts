// GPU slots: each job gets devices of its own, multi-GPU jobs wait for enough, and a freed slot is refilled at once.
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { JobSpec } from '../../../src/executors/executor.js';
import { createFakeExecutor } from '../../../src/executors/fake.js';
import { resolveGpuIds } from '../../../src/scheduler/detect-gpus.js';
import { createGpuPool } from '../../../src/scheduler/gpu-pool.js';
import type { ResearchServer } from '../../../src/server.js';
import { createTestServer } from '../../helpers/test-server.js';

const EDIT = 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n';

interface Span {
  jobId: string;
  devices: string[];
  start: number;
  end: number;
}

/** A fake executor whose training jobs take `trainMs` and record when they ran on which devices. */
function timedExecutor(trainMs: number) {
  const spans: Span[] = [];
  const executor = createFakeExecutor((spec: JobSpec) => {
    if (spec.jobId.endsWith('-evaluate')) {
      return { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: '{"metric": 1}' } };
    }
    const span = { jobId: spec.jobId, devices: spec.devices, start: Date.now(), end: Number.POSITIVE_INFINITY };
    spans.push(span);
    setTimeout(() => (span.end = Date.now()), trainMs);
    return { delayMs: trainMs };
  });
  return { executor, spans };
}

const servers: ResearchServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function open(gpus: number | string[], trainMs: number) {
  const { executor, spans } = timedExecutor(trainMs);
  const server = await createTestServer({
    config: { preflight: { smoke: false }, scheduler: { gpus, killGraceSec: 1 } },
    overrides: { executor },
  });
  servers.push(server);
  const implementation = await server.services.implementIdea({
    idea: { text: 'gpu job' },
    environment: 'gpu-noop',
    edit: EDIT,
  });
  const queue = async (profile: string, count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push((await server.services.runExperiment({ implementationId: implementation.id, profile })).id);
    }
    return ids;
  };
  const finish = (ids: string[]) => Promise.all(ids.map((id) => server.services.waitForExperiment(id, 30_000)));
  return { server, spans, queue, finish };
}

function overlapping(spans: Span[]): Span[][] {
  return spans.map((span) => spans.filter((other) => other.start < span.end && span.start < other.end));
}

describe('GPU scheduling', () => {
  it('gives every running job its own devices and never more jobs than GPUs', async () => {
    const { spans, queue, finish } = await open(['0', '1', '2'], 150);
    const ended = await finish(await queue('default', 7));
    expect(ended.map((e) => e.state)).toEqual(Array(7).fill('succeeded'));
    expect(spans).toHaveLength(7);
    for (const group of overlapping(spans)) {
      expect(group.length).toBeLessThanOrEqual(3);
      const devices = group.flatMap((span) => span.devices);
      expect(new Set(devices).size, 'no device shared by jobs running at once').toBe(devices.length);
    }
    for (const span of spans) expect(span.devices).toHaveLength(1);
    expect(new Set(spans.flatMap((span) => span.devices))).toEqual(new Set(['0', '1', '2']));
  });

  it('refills a freed slot at once', async () => {
    const { spans, queue, finish } = await open(2, 300);
    await finish(await queue('default', 4));
    const byStart = [...spans].sort((a, b) => a.start - b.start);
    const firstEnd = Math.min(...byStart.slice(0, 2).map((span) => span.end));
    // The third job starts as soon as one of the first two has ended (evaluation and store writes in between).
    expect((byStart[2] as Span).start - firstEnd).toBeLessThan(150);
  });

  it('makes a two-GPU job wait for two free devices, and later one-GPU jobs do not overtake it', async () => {
    const { spans, queue, finish } = await open(2, 200);
    const [single] = await queue('default', 1);
    const [pair] = await queue('two', 1);
    const later = await queue('default', 2);
    await finish([single as string, pair as string, ...later]);
    const span = (id: string): Span => spans.find((s) => s.jobId.startsWith(id)) as Span;
    expect(span(pair as string).devices.sort()).toEqual(['0', '1']);
    expect(span(pair as string).start).toBeGreaterThanOrEqual(span(single as string).end);
    for (const id of later) expect(span(id).start).toBeGreaterThanOrEqual(span(pair as string).end);
  });

  it('runs CPU profiles without devices, alongside GPU jobs', async () => {
    const { spans, queue, finish } = await open(1, 200);
    const gpu = await queue('default', 2);
    const [cpu] = await queue('cpu', 1);
    await finish([...gpu, cpu as string]);
    const cpuSpan = spans.find((s) => s.jobId.startsWith(cpu as string)) as Span;
    expect(cpuSpan.devices).toEqual([]);
    const secondGpu = spans.find((s) => s.jobId.startsWith(gpu[1] as string)) as Span;
    expect(cpuSpan.start, 'the CPU job did not wait behind the queued GPU job').toBeLessThan(secondGpu.start);
  });

  it('fails an experiment that needs more GPUs than there are, saying how many it needs', async () => {
    const { queue, finish } = await open(2, 10);
    const [ended] = await finish(await queue('huge', 1));
    expect(ended?.state).toBe('failed');
    expect(ended?.failure?.category).toBe('infrastructure');
    expect(ended?.failure?.message).toMatch(/needs 64 GPUs but groundwork has 2/);
  });

  it('reads slots from configuration or nvidia-smi', () => {
    expect(resolveGpuIds(3)).toEqual(['0', '1', '2']);
    expect(resolveGpuIds(['4', '7'])).toEqual(['4', '7']);
    expect(resolveGpuIds('auto', () => ['0', '1'])).toEqual(['0', '1']);
    const pool = createGpuPool(['0', '1', '2']);
    expect(pool.tryAcquire(2)).toEqual(['0', '1']);
    expect(pool.tryAcquire(2)).toBeUndefined();
    pool.release(['0']);
    expect(pool.tryAcquire(2)).toEqual(['0', '2']);
    expect(() => createGpuPool(['0', '0'])).toThrow(/distinct/);
  });
});
