// Every way a run can go wrong ends in the right failure category with its log tail, through the real
// local executor and real Python processes (the toy fixture environment).
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { ResearchServer } from '../../../src/server.js';
import { processesMatching } from '../../helpers/processes.js';
import { createTestServer } from '../../helpers/test-server.js';

const TOY_EDIT = 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n';

/** Alive and not a zombie waiting to be reaped (PID 1 in a container may never reap it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

let server: (ResearchServer & { home: string }) | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runToy(profile: string, options: { preflight?: boolean; keep?: boolean } = {}) {
  server = await createTestServer({
    config: { preflight: { smoke: options.preflight ?? false }, keepWorkspaces: options.keep ?? false },
  });
  const implementation = await server.services.implementIdea({
    idea: { text: 'wider model' },
    environment: 'toy',
    edit: TOY_EDIT,
  });
  expect(implementation.status).toBe('ready');
  const queued = await server.services.runExperiment({ implementationId: implementation.id, profile });
  return server.services.waitForExperiment(queued.id, 30_000);
}

describe('run failures through the local executor', () => {
  it('succeeds with the metric from the frozen evaluation and a direction-aware reward', async () => {
    const experiment = await runToy('default');
    expect(experiment.state).toBe('succeeded');
    // WIDTH 16, lr 0.1: |log10(0.1) + 1.5| + 8/16 = 1.0
    expect(experiment.result?.metric.value).toBeCloseTo(1.0, 6);
    expect(experiment.result?.reward).toBeCloseTo(1.0, 6);
    expect(experiment.result?.baseline).toMatchObject({ value: 2.0, improved: true });
  });

  it.each([
    ['crash', 'crashed', /toy training exploded/],
    ['no-checkpoint', 'crashed', /no checkpoint/],
    ['nan', 'nan', /done, loss nan/],
    ['text-metric', 'no_result', /done, loss low/],
    ['broken-json', 'no_result', /done/],
    ['tamper', 'suspicious', /done/],
    ['implausible', 'suspicious', /done, loss 50/],
    ['oom', 'oom', /out of memory/],
  ])('profile %s fails as %s with its log tail', async (profile, category, tail) => {
    const experiment = await runToy(profile);
    expect(experiment.state).toBe('failed');
    expect(experiment.failure?.category).toBe(category);
    expect(experiment.failure?.logTail).toMatch(tail);
    expect(experiment.runs[0]?.failure?.category).toBe(category);
  });

  it('stops a hanging run at its time limit as timeout, killing the whole process tree', async () => {
    const experiment = await runToy('hang-tree', { keep: true });
    expect(experiment.failure?.category).toBe('timeout');
    expect(experiment.failure?.message).toMatch(/time limit of 2 s/);
    const home = (server as ResearchServer & { home: string }).home;
    const checkpoint = join(home, 'runs', experiment.id, 'seed-0', 'checkpoint');
    expect(processesMatching(checkpoint)).toEqual([]);
  });

  it('keeps a run that prints binary garbage, judging it by its result file only', async () => {
    const experiment = await runToy('garbage');
    expect(experiment.state).toBe('succeeded');
    expect(experiment.result?.metric.value).toBeCloseTo(1.0, 6);
  });

  it('gives evaluation a fresh home, so code planted by training does not run there', async () => {
    const experiment = await runToy('usersite');
    expect(experiment.state).toBe('succeeded');
    expect(experiment.result?.metric.value).toBeCloseTo(1.0, 6);
  });

  it('ignores a result.json written by the training code', async () => {
    const experiment = await runToy('cheat');
    expect(experiment.state).toBe('succeeded');
    expect(experiment.result?.metric.value).toBeCloseTo(1.0, 6);
  });

  it('gives jobs no secrets from the parent environment', async () => {
    process.env.OPENAI_API_KEY = 'sk-should-not-leak';
    try {
      server = await createTestServer({ config: { preflight: { smoke: false }, keepWorkspaces: true } });
      const implementation = await server.services.implementIdea({
        idea: { text: 'x' },
        environment: 'toy',
        edit: TOY_EDIT,
      });
      const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'secrets' });
      await server.services.waitForExperiment(queued.id, 30_000);
      const seen = JSON.parse(
        await readFile(join(server.home, 'runs', queued.id, 'seed-0', 'checkpoint', 'env.json'), 'utf8'),
      ) as { leaked: string[]; keys: string[] };
      expect(seen.leaked).toEqual([]);
      expect(seen.keys).not.toContain('OPENAI_API_KEY');
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });

  it('fails the smoke pre-flight before the real run when the code crashes', async () => {
    const experiment = await runToy('crash', { preflight: true });
    expect(experiment.failure?.category).toBe('crashed');
    server = server as ResearchServer & { home: string };
    expect(existsSync(join(server.home, 'runs', experiment.id, 'preflight', 'train.log'))).toBe(true);
  });
});

describe('cancellation', () => {
  it('cancels a running experiment and kills its process', async () => {
    server = await createTestServer({ config: { preflight: { smoke: false } } });
    const implementation = await server.services.implementIdea({
      idea: { text: 'x' },
      environment: 'toy',
      edit: TOY_EDIT,
    });
    const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'slow' });
    const running = await new Promise<void>((resolve) => {
      const stop = server?.services.onExperimentUpdate((e) => {
        if (e.id === queued.id && e.runs[0]?.handle) {
          stop?.();
          resolve();
        }
      });
    });
    void running;
    const started = Date.now();
    const cancelled = await server.services.cancelExperiment(queued.id);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.failure?.category).toBe('cancelled');
    const job = cancelled.runs[0]?.handle?.handle;
    const pid = (job?.executor === 'local' ? job.pid : undefined) as number;
    expect(isRunning(pid)).toBe(false);
  });

  it('cancels a queued experiment without running it', async () => {
    server = await createTestServer({ config: { preflight: { smoke: false } } });
    const implementation = await server.services.implementIdea({
      idea: { text: 'x' },
      environment: 'toy',
      edit: TOY_EDIT,
    });
    const first = await server.services.runExperiment({ implementationId: implementation.id, profile: 'slow' });
    const second = await server.services.runExperiment({ implementationId: implementation.id });
    const cancelled = await server.services.cancelExperiment(second.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.runs[0]?.state).toBe('cancelled');
    await server.services.cancelExperiment(first.id);
  });
});
