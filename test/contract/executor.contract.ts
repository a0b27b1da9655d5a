// The Executor contract: every implementation (local, fake, later docker and slurm) must pass it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Executor, JobSpec } from '../../src/executors/executor.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Jobs are described abstractly; each implementation's harness turns them into what it runs. */
export type ContractJob = { kind: 'print-exit'; text: string; code: number } | { kind: 'sleep'; seconds: number };

export interface ExecutorHarness {
  executor: Executor;
  command(job: ContractJob): string[];
}

export function runExecutorContract(name: string, makeHarness: () => ExecutorHarness): void {
  describe(`Executor contract: ${name}`, () => {
    let harness: ExecutorHarness | undefined;
    afterEach(async () => {
      await harness?.executor.close();
      harness = undefined;
    });

    async function spec(job: ContractJob, overrides: Partial<JobSpec> = {}): Promise<JobSpec> {
      const dir = await tempDir();
      harness ??= makeHarness();
      return {
        jobId: `job-${Math.random().toString(36).slice(2)}`,
        command: harness.command(job),
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        logPath: join(dir, 'logs', 'job.log'),
        timeLimitSec: 30,
        resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 30, evaluateTimeLimitSec: 30 },
        writable: [dir],
        readOnly: [],
        ...overrides,
      };
    }

    it('runs a job to completion, reporting its exit code and keeping its output in the log', async () => {
      const job = await spec({ kind: 'print-exit', text: 'hello from the job', code: 3 });
      const executor = (harness as ExecutorHarness).executor;
      const handle = await executor.start(job);
      expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);
      const exit = await executor.wait(handle);
      expect(exit).toMatchObject({ exitCode: 3, timedOut: false, cancelled: false });
      expect(await readFile(job.logPath, 'utf8')).toContain('hello from the job');
      expect((await executor.poll(handle)).state).not.toBe('running');
    });

    it('reports success as exit code 0', async () => {
      const job = await spec({ kind: 'print-exit', text: 'ok', code: 0 });
      const executor = (harness as ExecutorHarness).executor;
      expect((await executor.wait(await executor.start(job))).exitCode).toBe(0);
    });

    it('cancels a running job promptly', async () => {
      const job = await spec({ kind: 'sleep', seconds: 30 });
      const executor = (harness as ExecutorHarness).executor;
      const handle = await executor.start(job);
      expect((await executor.poll(handle)).state).toBe('running');
      const started = Date.now();
      await executor.cancel(handle);
      const exit = await executor.wait(handle).catch(() => undefined);
      if (exit) expect(exit.cancelled).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
      await executor.cancel(handle); // idempotent
    });
  });
}
