// Slurm job states without Slurm: how the executor reads squeue, sacct, scontrol and the jobcomp log.
import { describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { parseDuration, parseKeyValues } from '../../../src/executors/slurm-state.js';
import {
  ACCOUNTING_DISABLED,
  endedCluster,
  executor,
  handle,
  INVALID_JOB,
  scontrolLine,
  scriptedRunner,
} from './slurm-fixture.js';

describe('Slurm states', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['COMPLETED', '0:0', { exitCode: 0, signal: null, cancelled: false, timedOut: false, oomKilled: false }],
    ['FAILED', '3:0', { exitCode: 3, signal: null, cancelled: false, timedOut: false, oomKilled: false }],
    ['FAILED', '0:9', { exitCode: null, signal: 'SIGKILL', cancelled: false, timedOut: false }],
    ['CANCELLED', '0:15', { exitCode: null, signal: 'SIGTERM', cancelled: true, timedOut: false }],
    ['CANCELLED', '0:0', { exitCode: null, signal: null, cancelled: true, timedOut: false }],
    ['TIMEOUT', '0:9', { exitCode: null, signal: 'SIGKILL', cancelled: false, timedOut: true }],
    ['DEADLINE', '0:0', { exitCode: null, timedOut: true }],
    ['OUT_OF_MEMORY', '0:125', { exitCode: null, signal: 'SIGKILL', oomKilled: true }],
  ];
  for (const [state, exitCode, expected] of cases) {
    it(`reads ${state} ExitCode=${exitCode}`, async () => {
      const slurm = executor(endedCluster(state, exitCode).runner);
      const exit = await slurm.wait(handle());
      expect(exit).toMatchObject({ ...expected, durationMs: 7000 });
      expect(await slurm.poll(handle())).toMatchObject({ state: 'exited', ...expected });
    });
  }

  for (const state of ['NODE_FAIL', 'BOOT_FAIL']) {
    it(`says the cluster lost a job that ended in ${state}`, async () => {
      const slurm = executor(endedCluster(state, '0:0').runner);
      expect(await slurm.poll(handle())).toMatchObject({
        state: 'lost',
        reason: expect.stringMatching(state) as unknown,
      });
      const error = await slurm.wait(handle()).catch((e: unknown) => e);
      expect(ResearchError.is(error, 'executor')).toBe(true);
      expect((error as Error).message).toMatch(/the cluster lost Slurm job 42 \(exp_job\)/);
    });
  }

  it('counts queued and running jobs as running', async () => {
    for (const state of ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED']) {
      const { runner } = scriptedRunner((argv) =>
        argv[0] === 'squeue' ? { stdout: `${state}|0:00|exp_job\n` } : undefined,
      );
      expect(await executor(runner).poll(handle())).toEqual({ state: 'running' });
    }
  });

  it('reads sacct when accounting works, and asks nothing else', async () => {
    const { runner, commands } = scriptedRunner((argv) =>
      argv[0] === 'sacct' ? { stdout: 'FAILED|5:0|12|exp_job\n' } : undefined,
    );
    expect(await executor(runner).wait(handle())).toMatchObject({ exitCode: 5, durationMs: 12_000 });
    expect(commands('sacct')[0]?.argv).toEqual([
      'sacct',
      '-X',
      '-n',
      '-P',
      '-j',
      '42',
      '--format=State,ExitCode,ElapsedRaw,JobName',
    ]);
    expect(commands('scontrol')).toHaveLength(0);
  });

  it('takes `CANCELLED by 1000` from sacct as cancelled', async () => {
    const { runner } = scriptedRunner((argv) =>
      argv[0] === 'sacct' ? { stdout: 'CANCELLED by 1000|0:15|3|exp_job\n' } : undefined,
    );
    expect(await executor(runner).wait(handle())).toMatchObject({ cancelled: true, signal: 'SIGTERM' });
  });

  it('falls back to scontrol when accounting is disabled, and stops asking sacct', async () => {
    const { runner, commands } = endedCluster('COMPLETED', '0:0');
    const slurm = executor(runner);
    await slurm.wait(handle());
    await slurm.wait(handle());
    expect(commands('sacct')).toHaveLength(1);
    expect(commands('scontrol')).toHaveLength(2);
  });

  it('falls back to the jobcomp log once slurmctld has forgotten the job', async () => {
    const { runner, calls } = scriptedRunner((argv) => {
      if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
      if (argv.join(' ') === 'scontrol show job -o 42') return INVALID_JOB;
      if (argv.join(' ') === 'scontrol show config') {
        return {
          stdout:
            'JobCompHost             = localhost\nJobCompLoc              = /var/log/slurm/jobcomp.txt\nJobCompType             = jobcomp/filetxt\n',
        };
      }
      if (argv[0] === 'grep') {
        return {
          stdout:
            'JobId=42 UserId=me(1000) Name=exp_older JobState=COMPLETED ExitCode=0:0\n' +
            'JobId=42 UserId=me(1000) Name=exp_job JobState=FAILED StartTime=2026-01-01T10:00:00 EndTime=2026-01-01T10:00:30 WorkDir=/a b ExitCode=2:0 \n',
        };
      }
      return undefined;
    });
    expect(await executor(runner).wait(handle())).toMatchObject({ exitCode: 2, durationMs: 30_000 });
    expect(calls.at(-1)?.argv).toEqual(['grep', '-F', '--', 'JobId=42 ', '/var/log/slurm/jobcomp.txt']);
  });

  it('says a job no Slurm command knows is lost', async () => {
    const { runner } = scriptedRunner((argv) => {
      if (argv[0] === 'squeue' || argv.join(' ') === 'scontrol show job -o 42') return INVALID_JOB;
      if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
      if (argv[0] === 'scontrol') return { stdout: 'JobCompType             = jobcomp/none\n' };
      return undefined;
    });
    const slurm = executor(runner);
    expect(await slurm.poll(handle())).toMatchObject({
      state: 'lost',
      reason: expect.stringMatching(/no record of job 42/) as unknown,
    });
    await expect(slurm.wait(handle())).rejects.toThrow(/the cluster lost Slurm job 42/);
  });

  it('does not take another job that reuses the id for ours', async () => {
    const { runner } = scriptedRunner((argv) => {
      if (argv[0] === 'squeue') return { stdout: 'RUNNING|0:03|someone-else\n' };
      if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
      if (argv[0] === 'scontrol' && argv[1] === 'show' && argv[2] === 'job')
        return { stdout: scontrolLine('someone-else', 'RUNNING', '0:0') };
      return { stdout: 'JobCompType = jobcomp/none\n' };
    });
    expect((await executor(runner).poll(handle())).state).toBe('lost');
  });

  it('parses durations and key=value lines', () => {
    expect(parseDuration('0:05')).toBe(5);
    expect(parseDuration('1:02:03')).toBe(3723);
    expect(parseDuration('2-01:00:00')).toBe(176_400);
    expect(parseDuration('INVALID')).toBeUndefined();
    expect(parseKeyValues('JobId=1 WorkDir=/a b c ReqB:S:C:T=0:0:*:* Empty= ExitCode=3:0')).toEqual({
      JobId: '1',
      WorkDir: '/a b c',
      'ReqB:S:C:T': '0:0:*:*',
      Empty: '',
      ExitCode: '3:0',
    });
  });
});
