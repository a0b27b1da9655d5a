// The Slurm executor without Slurm: submitting, time limits, cancelling, re-attaching, outages and reaping.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import type { RunHandle } from '../../../src/executors/executor.js';
import {
  ACCOUNTING_DISABLED,
  endedCluster,
  executor,
  handle,
  jobSpec,
  scontrolLine,
  scriptedRunner,
} from './slurm-fixture.js';

describe('Slurm executor', () => {
  it('submits the script on stdin with sbatch --parsable and keeps a copy next to the log', async () => {
    const { runner, commands } = scriptedRunner((argv) =>
      argv[0] === 'sbatch' ? { stdout: '77;cluster\n' } : undefined,
    );
    const spec = await jobSpec();
    const started = await executor(runner, { partition: 'gpu' }).start(spec);
    expect(started).toMatchObject({
      executor: 'slurm',
      jobId: 'exp_job',
      slurmJobId: '77',
      timeLimitSec: 61,
      logPath: spec.logPath,
    });
    expect(JSON.parse(JSON.stringify(started))).toEqual(started);
    const submitted = commands('sbatch')[0];
    expect(submitted?.argv).toEqual(['sbatch', '--parsable']);
    expect(submitted?.input).toContain('#SBATCH --partition=gpu');
    expect(await readFile(join(spec.logPath, '..', 'exp_job.sbatch'), 'utf8')).toBe(submitted?.input);
  });

  it('says it cannot submit when sbatch is missing or the controller does not answer', async () => {
    for (const reply of [
      { code: 127, stderr: 'cannot run sbatch: spawn sbatch ENOENT' },
      {
        code: 1,
        stderr: 'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)\n',
      },
    ]) {
      const { runner } = scriptedRunner(() => reply);
      const error = await executor(runner)
        .start(await jobSpec())
        .catch((e: unknown) => e);
      expect(ResearchError.is(error, 'executor')).toBe(true);
      expect((error as ResearchError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/^cannot submit to Slurm: .*is slurmctld running and SLURM_CONF set/);
    }
  });

  it('says what was asked for when Slurm refuses the job', async () => {
    const { runner } = scriptedRunner(() => ({
      code: 1,
      stderr: 'sbatch: error: Batch job submission failed: Requested node configuration is not available\n',
    }));
    const error = await executor(runner, { partition: 'gpu' })
      .start(await jobSpec())
      .catch((e: unknown) => e);
    expect(ResearchError.is(error, 'executor')).toBe(true);
    expect((error as ResearchError).retryable).toBe(false);
    expect((error as Error).message).toBe(
      "Slurm refused job exp_job, which asks for 2 GPUs, 4 CPUs, 1.5 GiB of memory, 2 min on partition gpu: Requested node configuration is not available — ask for what a node of the partition offers (the environment's or its profile's resources), or pick another partition, account or sbatch arguments in executor.slurm.",
    );
  });

  it('stops a job at its time limit itself, from the time squeue reports', async () => {
    let cancelled = false;
    const { runner, commands } = scriptedRunner((argv) => {
      if (argv[0] === 'scancel') cancelled = true;
      if (argv[0] === 'squeue') return { stdout: cancelled ? '' : 'RUNNING|0:05|exp_job\n' };
      if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
      if (argv[0] === 'scontrol') return { stdout: scontrolLine('exp_job', 'CANCELLED', '0:15', '00:00:05') };
      return undefined;
    });
    const exit = await executor(runner).wait(handle({ timeLimitSec: 5 }));
    expect(exit).toMatchObject({ timedOut: true, cancelled: false, exitCode: null, signal: 'SIGTERM' });
    expect(commands('scancel').map((call) => call.argv)).toEqual([['scancel', '42']]);
  });

  it('stops a job at its time limit by its own clock when squeue lags', async () => {
    let cancelled = false;
    const { runner } = scriptedRunner((argv) => {
      if (argv[0] === 'scancel') cancelled = true;
      if (argv[0] === 'squeue') return { stdout: cancelled ? '' : 'RUNNING|0:00|exp_job\n' };
      if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
      if (argv[0] === 'scontrol') return { stdout: scontrolLine('exp_job', 'CANCELLED', '0:0', '00:00:01') };
      return undefined;
    });
    const started = Date.now();
    expect(await executor(runner).wait(handle({ timeLimitSec: 1 }))).toMatchObject({ timedOut: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('does not stop a job for time it spent in the queue', async () => {
    let polls = 0;
    const { runner, commands } = scriptedRunner((argv) => {
      if (argv[0] === 'squeue') return { stdout: (polls += 1) < 20 ? 'PENDING|0:00|exp_job\n' : '' };
      if (argv[0] === 'sacct') return { stdout: 'COMPLETED|0:0|1|exp_job\n' };
      return undefined;
    });
    expect(
      await executor(runner).wait(handle({ timeLimitSec: 0.05, startedAt: Date.now() - 3_600_000 })),
    ).toMatchObject({
      exitCode: 0,
      timedOut: false,
    });
    expect(commands('scancel')).toHaveLength(0);
  });

  it('takes a job cancelled past its limit by an earlier daemon as timed out', async () => {
    const slurm = executor(endedCluster('CANCELLED', '0:15', '00:01:05').runner);
    expect(await slurm.wait(handle({ timeLimitSec: 60 }))).toMatchObject({ timedOut: true, cancelled: false });
  });

  it('cancels with scancel, waits for the job to go, and is idempotent', async () => {
    let cancels = 0;
    const { runner, commands } = scriptedRunner((argv) => {
      if (argv[0] === 'scancel')
        return (cancels += 1) > 1
          ? {
              code: 1,
              stderr: 'scancel: error: Kill job error on job id 42: Job/step already completing or completed\n',
            }
          : undefined;
      if (argv[0] === 'squeue')
        return {
          stdout:
            cancels === 0 ? 'RUNNING|0:01|exp_job\n' : commands('squeue').length < 4 ? 'COMPLETING|0:02|exp_job\n' : '',
        };
      if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
      if (argv[0] === 'scontrol') return { stdout: scontrolLine('exp_job', 'CANCELLED', '0:15', '00:00:02') };
      return undefined;
    });
    const slurm = executor(runner);
    await slurm.cancel(handle());
    expect(commands('squeue').length).toBeGreaterThanOrEqual(3);
    expect(await slurm.wait(handle())).toMatchObject({ cancelled: true, timedOut: false });
    await slurm.cancel(handle());
    expect(commands('scancel')).toHaveLength(2);
  });

  it('re-attaches: a second executor follows a handle the first one started', async () => {
    let polls = 0;
    const { runner } = scriptedRunner((argv) => {
      if (argv[0] === 'sbatch') return { stdout: '42\n' };
      if (argv[0] === 'squeue') return { stdout: (polls += 1) < 3 ? 'RUNNING|0:01|exp_job\n' : '' };
      if (argv[0] === 'sacct') return { stdout: 'COMPLETED|0:0|2|exp_job\n' };
      return undefined;
    });
    const started = await executor(runner).start(await jobSpec());
    const persisted = JSON.parse(JSON.stringify(started)) as RunHandle;
    const reopened = executor(runner);
    expect(await reopened.poll(persisted)).toEqual({ state: 'running' });
    expect(await reopened.wait(persisted)).toMatchObject({ exitCode: 0, durationMs: 2000 });
  });

  it('keeps waiting through a short outage, and gives up after a long one', async () => {
    let polls = 0;
    const { runner } = scriptedRunner((argv) => {
      if (argv[0] === 'squeue') {
        polls += 1;
        return polls < 4
          ? { code: 1, stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n' }
          : undefined;
      }
      if (argv[0] === 'sacct') return { stdout: 'COMPLETED|0:0|2|exp_job\n' };
      return undefined;
    });
    expect(await executor(runner).wait(handle())).toMatchObject({ exitCode: 0 });
    polls = 0;
    const error = await executor(runner, { outageToleranceSec: 0 })
      .wait(handle())
      .catch((e: unknown) => e);
    expect(ResearchError.is(error, 'executor')).toBe(true);
    expect((error as Error).message).toMatch(/cannot reach Slurm \(squeue\): .*Unable to contact slurm controller/);
  });

  it('stops waiting when closed, leaving the job to the cluster', async () => {
    const { runner, commands } = scriptedRunner((argv) =>
      argv[0] === 'squeue' ? { stdout: 'RUNNING|0:01|exp_job\n' } : undefined,
    );
    const slurm = executor(runner);
    const waiting = slurm.wait(handle());
    await slurm.close();
    await expect(waiting).rejects.toThrow(/executor was closed/);
    expect(commands('scancel')).toHaveLength(0);
  });

  it('reaps only groundwork jobs that keep rejects', async () => {
    const { runner, commands } = scriptedRunner((argv) =>
      argv[0] === 'squeue'
        ? { stdout: '11||exp_a-s0-train\n12||exp_b-s0-train\n13||my-notebook\n14|x|exp_c-s1-evaluate\n' }
        : undefined,
    );
    const removed = await executor(runner).reap((jobId) => jobId === 'exp_b-s0-train');
    expect(removed).toEqual(['exp_a-s0-train', 'exp_c-s1-evaluate']);
    expect(commands('squeue')[0]?.argv).toEqual(['squeue', '-h', '--me', '-o', '%i|%k|%j']);
    expect(commands('scancel').map((call) => call.argv[1])).toEqual(['11', '14']);
  });

  it('with a scope, submits jobs with its comment and reaps only jobs that carry it', async () => {
    const { runner, commands } = scriptedRunner((argv) => {
      if (argv[0] === 'sbatch') return { stdout: '77\n' };
      if (argv[0] === 'squeue' && argv.includes('%i|%k|%j')) {
        return { stdout: `11|${comment}|exp_a-s0-train\n12|groundwork:other|exp_b-s0-train\n` };
      }
      return undefined;
    });
    const scoped = executor(runner, { scope: '/home/me/.groundwork' });
    await scoped.start(await jobSpec());
    const script = commands('sbatch')[0]?.input ?? '';
    const comment = /#SBATCH --comment=(\S+)/.exec(script)?.[1] as string;
    expect(comment).toMatch(/^groundwork:[0-9a-f]{16}$/);
    expect(await scoped.reap(() => false)).toEqual(['exp_a-s0-train']);
  });

  it('is reattachable and lets Slurm manage the devices', () => {
    const slurm = executor(scriptedRunner(() => undefined).runner);
    expect(slurm).toMatchObject({ kind: 'slurm', reattachable: true, managesDevices: true });
  });
});
