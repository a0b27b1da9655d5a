// The Slurm executor against a real single-node Slurm with two fake GPUs (started by test/engines/slurm-up.sh).
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ResearchError } from '../../src/domain/errors.js';
import type { SlurmHandle } from '../../src/domain/job-handle.js';
import { createLocalRunner } from '../../src/executors/command-runner.js';
import type { JobSpec } from '../../src/executors/executor.js';
import { createSlurmExecutor } from '../../src/executors/slurm.js';
import { runExecutorContract } from '../contract/executor.contract.js';
import { shellCommand } from '../contract/shell-jobs.js';

const slurmConf = process.env.SLURM_CONF;
const enabled = Boolean(slurmConf) && process.env.GROUNDWORK_TEST_SLURM === '1';

const newExecutor = (runner = createLocalRunner()) =>
  createSlurmExecutor({ runner, extraArgs: [], pollIntervalSec: 0.2 });

describe.skipIf(!enabled)('Slurm executor on a real cluster', () => {
  /** Every job's folder lies under here: the compute node (this machine) sees it at the same path. */
  let shared = '';
  beforeAll(async () => {
    shared = await mkdtemp(join(process.env.GROUNDWORK_SLURM_SHARED_DIR ?? tmpdir(), 'groundwork-slurm-'));
  });
  afterAll(async () => {
    // Jobs a failed test left behind: ours are the ones working under `shared`.
    const runner = createLocalRunner();
    const queue = await runner.run(['squeue', '-h', '--me', '-o', '%i|%Z']);
    for (const line of queue.stdout.split('\n')) {
      const [id, workDir] = line.split('|');
      if (id && workDir?.startsWith(shared)) await runner.run(['scancel', id]);
    }
    await rm(shared, { recursive: true, force: true });
  });

  const workDir = async (): Promise<string> => mkdtemp(join(shared, 'job-'));

  runExecutorContract(
    'slurm',
    () => ({
      executor: newExecutor(),
      command: shellCommand,
      workDir,
      reopen: () => newExecutor(),
      timeLimitSlackSec: 90,
    }),
    150_000,
  );

  async function spec(jobId: string, script: string, overrides: Partial<JobSpec['resources']> = {}): Promise<JobSpec> {
    const dir = await workDir();
    return {
      jobId,
      command: ['/bin/sh', '-c', script],
      cwd: dir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      logPath: join(dir, 'logs', 'job.log'),
      timeLimitSec: 60,
      resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60, ...overrides },
      writable: [dir],
      readOnly: [],
      devices: [],
    };
  }

  const unique = (name: string): string => `${name}-${Math.random().toString(36).slice(2, 8)}`;

  it('lets Slurm give a 1-GPU job one of the two fake GPUs', async () => {
    const executor = newExecutor();
    const job = await spec(unique('gpu'), 'echo "CUDA=$CUDA_VISIBLE_DEVICES"', { gpus: 1 });
    expect((await executor.wait(await executor.start(job))).exitCode).toBe(0);
    expect(await readFile(job.logPath, 'utf8')).toContain('CUDA=0\n');
  }, 60_000);

  it('runs two 1-GPU jobs at the same time on different GPUs', async () => {
    const executor = newExecutor();
    const script = 'echo "CUDA=$CUDA_VISIBLE_DEVICES"; date +%s.%N; sleep 2; date +%s.%N';
    const jobs = [await spec(unique('pair-a'), script, { gpus: 1 }), await spec(unique('pair-b'), script, { gpus: 1 })];
    const handles = await Promise.all(jobs.map((job) => executor.start(job)));
    const exits = await Promise.all(handles.map((handle) => executor.wait(handle)));
    expect(exits.map((exit) => exit.exitCode)).toEqual([0, 0]);
    const logs = await Promise.all(jobs.map((job) => readFile(job.logPath, 'utf8')));
    const devices = logs.map((log) => /CUDA=(\S*)/.exec(log)?.[1]);
    expect(new Set(devices)).toEqual(new Set(['0', '1']));
    const [a, b] = logs.map((log) => log.trim().split('\n').slice(1).map(Number)) as [number[], number[]];
    // The intervals overlap: each started before the other ended.
    expect(a[0]).toBeLessThan(b[1] as number);
    expect(b[0]).toBeLessThan(a[1] as number);
  }, 60_000);

  it('refuses a job asking for more GPUs than any node has, saying what was asked for', async () => {
    const executor = newExecutor();
    const job = await spec(unique('greedy'), 'true', { gpus: 3 });
    const error = await executor.start(job).catch((e: unknown) => e);
    expect(ResearchError.is(error, 'executor')).toBe(true);
    expect((error as Error).message).toMatch(/refused .*3 GPUs.*Requested node configuration is not available/);
  }, 30_000);

  it('reports a job cancelled from outside (scancel) as cancelled', async () => {
    const executor = newExecutor();
    const handle = await executor.start(await spec(unique('outside'), 'sleep 60'));
    const runner = createLocalRunner();
    await expect
      .poll(
        async () => (await runner.run(['squeue', '-h', '-j', String(handle.slurmJobId), '-o', '%T'])).stdout.trim(),
        { timeout: 10_000 },
      )
      .toBe('RUNNING');
    expect((await runner.run(['scancel', String(handle.slurmJobId)])).code).toBe(0);
    const exit = await executor.wait(handle);
    // Slurm 22.05 records a cancelled batch job as `CANCELLED ExitCode=0:0`: no exit code of its own.
    expect(exit).toMatchObject({ cancelled: true, timedOut: false, exitCode: null });
  }, 60_000);

  it('reports a job killed by a signal as such', async () => {
    const executor = newExecutor();
    const exit = await executor.wait(await executor.start(await spec(unique('killed'), 'kill -9 $$')));
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', cancelled: false, timedOut: false });
  }, 60_000);

  it('reaps the groundwork jobs an earlier daemon left, and only those', async () => {
    const executor = newExecutor();
    const stray = await executor.start(await spec(unique('exp_stray-s0-train'), 'sleep 60'));
    const kept = await executor.start(await spec(unique('exp_kept-s0-train'), 'sleep 60'));
    const other = await executor.start(await spec(unique('users-own-job'), 'sleep 60'));
    try {
      const removed = await executor.reap((jobId) => jobId === kept.jobId);
      expect(removed).toContain(stray.jobId);
      expect(removed).not.toContain(kept.jobId);
      expect(removed).not.toContain(other.jobId);
      expect((await executor.wait(stray)).cancelled).toBe(true);
      expect((await executor.poll(kept)).state).toBe('running');
      expect((await executor.poll(other)).state).toBe('running');
    } finally {
      await Promise.all([executor.cancel(kept), executor.cancel(other)]);
    }
  }, 60_000);

  it('says a job Slurm has never heard of is lost', async () => {
    const executor = newExecutor();
    const handle: SlurmHandle = {
      executor: 'slurm',
      jobId: 'exp_ghost',
      slurmJobId: '987654',
      startedAt: Date.now(),
      timeLimitSec: 60,
      logPath: '',
    };
    expect(await executor.poll(handle)).toMatchObject({ state: 'lost' });
    await expect(executor.wait(handle)).rejects.toThrow(/the cluster lost Slurm job 987654/);
  }, 30_000);

  it('says it cannot submit when the controller does not answer', async () => {
    // The same cluster description with a port nothing listens on, and short timeouts (Slurm retries for 9 s).
    const dead = join(shared, 'dead', 'slurm.conf');
    await mkdir(dirname(dead), { recursive: true });
    const conf = (await readFile(slurmConf as string, 'utf8')).replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=1');
    await writeFile(dead, `${conf}\nMessageTimeout=1\nTCPTimeout=1\n`);
    await copyFile(join(dirname(slurmConf as string), 'gres.conf'), join(dirname(dead), 'gres.conf'));
    const executor = newExecutor(
      createLocalRunner({ env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SLURM_CONF: dead } }),
    );
    const error = await executor.start(await spec(unique('nowhere'), 'true')).catch((e: unknown) => e);
    expect(ResearchError.is(error, 'executor')).toBe(true);
    expect((error as ResearchError).retryable).toBe(true);
    expect((error as Error).message).toMatch(
      /cannot submit to Slurm: .*Unable to contact slurm controller.*is slurmctld running and SLURM_CONF set/,
    );
  }, 30_000);
});
