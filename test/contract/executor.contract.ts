// The Executor contract: every implementation (local, fake, docker, slurm) must pass it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Executor, JobSpec } from '../../src/executors/executor.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Jobs are described abstractly; each implementation's harness turns them into what it runs. */
export type ContractJob =
  | { kind: 'print-exit'; text: string; code: number }
  | { kind: 'sleep'; seconds: number }
  /** Prints `name=value` for each variable (an empty value when unset), then exits 0. */
  | { kind: 'print-env'; names: string[] };

export interface ExecutorHarness {
  executor: Executor;
  command(job: ContractJob): string[];
  /** A folder the job can see at the same path (a shared path for cluster executors); a temp dir otherwise. */
  workDir?(): Promise<string>;
  /** A second executor in a fresh "process", for re-attaching to jobs the first one started (reattachable only). */
  reopen?(): Executor;
  /** Seconds a time limit may overshoot on this executor (Slurm checks limits about every 30 s). */
  timeLimitSlackSec?: number;
}

export function runExecutorContract(name: string, makeHarness: () => ExecutorHarness, timeoutMs = 30_000): void {
  describe(`Executor contract: ${name}`, () => {
    let harness: ExecutorHarness | undefined;
    const extra: Executor[] = [];
    afterEach(async () => {
      await harness?.executor.close();
      for (const executor of extra.splice(0)) await executor.close();
      harness = undefined;
    });

    async function spec(job: ContractJob, overrides: Partial<JobSpec> = {}): Promise<JobSpec> {
      harness ??= makeHarness();
      const dir = harness.workDir ? await harness.workDir() : await tempDir();
      return {
        jobId: `job-${Math.random().toString(36).slice(2)}`,
        command: harness.command(job),
        cwd: dir,
        env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
        logPath: join(dir, 'logs', 'job.log'),
        timeLimitSec: 60,
        resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
        writable: [dir],
        readOnly: [],
        devices: [],
        ...overrides,
      };
    }
    const executor = (): Executor => (harness as ExecutorHarness).executor;

    it(
      'runs a job to completion, reporting its exit code and keeping its output in the log',
      async () => {
        const job = await spec({ kind: 'print-exit', text: 'hello from the job', code: 3 });
        const handle = await executor().start(job);
        expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);
        expect(handle.jobId).toBe(job.jobId);
        const exit = await executor().wait(handle);
        expect(exit).toMatchObject({ exitCode: 3, timedOut: false, cancelled: false, oomKilled: false });
        expect(await readFile(job.logPath, 'utf8')).toContain('hello from the job');
        expect((await executor().poll(handle)).state).not.toBe('running');
      },
      timeoutMs,
    );

    it(
      'reports success as exit code 0',
      async () => {
        const job = await spec({ kind: 'print-exit', text: 'ok', code: 0 });
        expect((await executor().wait(await executor().start(job))).exitCode).toBe(0);
      },
      timeoutMs,
    );

    it(
      'gives the job exactly the environment it was asked to, and nothing of the daemon’s',
      async () => {
        process.env.GROUNDWORK_CONTRACT_SECRET = 'sk-must-not-leak';
        try {
          const job = await spec(
            { kind: 'print-env', names: ['FROM_SPEC', 'GROUNDWORK_CONTRACT_SECRET'] },
            { env: { PATH: '/usr/local/bin:/usr/bin:/bin', FROM_SPEC: 'spec-value' } },
          );
          expect((await executor().wait(await executor().start(job))).exitCode).toBe(0);
          const log = await readFile(job.logPath, 'utf8');
          expect(log).toContain('FROM_SPEC=spec-value');
          expect(log).toContain('GROUNDWORK_CONTRACT_SECRET=\n');
          expect(log).not.toContain('sk-must-not-leak');
        } finally {
          delete process.env.GROUNDWORK_CONTRACT_SECRET;
        }
      },
      timeoutMs,
    );

    it(
      'shows a CPU job no GPU',
      async () => {
        const job = await spec({ kind: 'print-env', names: ['CUDA_VISIBLE_DEVICES'] });
        expect((await executor().wait(await executor().start(job))).exitCode).toBe(0);
        const line = (await readFile(job.logPath, 'utf8'))
          .split('\n')
          .find((l) => l.startsWith('CUDA_VISIBLE_DEVICES'));
        // Unset or empty: either way no device is visible.
        expect(line ?? 'CUDA_VISIBLE_DEVICES=').toBe('CUDA_VISIBLE_DEVICES=');
      },
      timeoutMs,
    );

    it(
      'stops a job at its time limit and says so',
      async () => {
        const slack = harness?.timeLimitSlackSec ?? 0;
        const job = await spec({ kind: 'sleep', seconds: 120 }, { timeLimitSec: 1 });
        const started = Date.now();
        const exit = await executor().wait(await executor().start(job));
        expect(exit.timedOut).toBe(true);
        expect(exit.exitCode).not.toBe(0);
        expect(Date.now() - started).toBeLessThan((15 + slack) * 1000);
      },
      timeoutMs,
    );

    it(
      'cancels a running job promptly',
      async () => {
        const job = await spec({ kind: 'sleep', seconds: 120 });
        const handle = await executor().start(job);
        expect((await executor().poll(handle)).state).toBe('running');
        const started = Date.now();
        await executor().cancel(handle);
        const exit = await executor()
          .wait(handle)
          .catch(() => undefined);
        if (exit) expect(exit.cancelled).toBe(true);
        expect(Date.now() - started).toBeLessThan(15_000);
        await executor().cancel(handle); // idempotent
      },
      timeoutMs,
    );

    it(
      'lets a restarted daemon re-attach to a running job, or says it cannot',
      async () => {
        const job = await spec({ kind: 'sleep', seconds: 3 });
        const handle = await executor().start(job);
        const reopened = harness?.reopen?.();
        if (!executor().reattachable || !reopened) {
          expect(executor().reattachable).toBe(false);
          await executor().cancel(handle);
          return;
        }
        extra.push(reopened);
        const persisted = JSON.parse(JSON.stringify(handle)) as typeof handle;
        expect((await reopened.poll(persisted)).state).toBe('running');
        const exit = await reopened.wait(persisted);
        expect(exit).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
      },
      timeoutMs,
    );
  });
}
