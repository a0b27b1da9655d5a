// Slurm executor without Slurm: a scripted command runner stands in for sbatch, squeue, sacct, scontrol, scancel.
import { spawnSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import type { SlurmHandle } from '../../../src/domain/job-handle.js';
import {
  type CommandResult,
  type CommandRunner,
  createLocalRunner,
  createSshRunner,
  shellQuote,
} from '../../../src/executors/command-runner.js';
import type { JobSpec, RunHandle } from '../../../src/executors/executor.js';
import { batchScript } from '../../../src/executors/slurm-script.js';
import { parseDuration, parseKeyValues } from '../../../src/executors/slurm-state.js';
import { createSlurmExecutor, type SlurmExecutorOptions } from '../../../src/executors/slurm.js';
import { tempDir } from '../../helpers/temp-dir.js';

type Reply = Partial<CommandResult> | undefined;

/** A runner that answers each command with `reply(argv)` (default: success, no output) and records the calls. */
function scriptedRunner(reply: (argv: string[], input: string | undefined) => Reply) {
  const calls: { argv: string[]; input: string | undefined }[] = [];
  const runner: CommandRunner = {
    async run(argv, options = {}) {
      calls.push({ argv, input: options.input });
      const answer = reply(argv, options.input) ?? {};
      return { code: answer.code ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
    },
  };
  const commands = (name: string) => calls.filter((call) => call.argv[0] === name);
  return { runner, calls, commands };
}

const ACCOUNTING_DISABLED: Reply = { code: 1, stderr: 'Slurm accounting storage is disabled\n' };
const INVALID_JOB: Reply = { code: 1, stderr: 'slurm_load_jobs error: Invalid job id specified\n' };

function scontrolLine(name: string, state: string, exitCode: string, runTime = '00:00:07'): string {
  return `JobId=42 JobName=${name} UserId=me(1000) JobState=${state} Reason=None ExitCode=${exitCode} RunTime=${runTime} TimeLimit=00:01:00 WorkDir=/shared/runs/a b StdOut=/shared/x.log\n`;
}

/** A cluster where job 42 has already ended with `state` and `exitCode`, known only to scontrol. */
function endedCluster(state: string, exitCode: string, runTime?: string) {
  return scriptedRunner((argv) => {
    if (argv[0] === 'sbatch') return { stdout: '42\n' };
    if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
    if (argv[0] === 'scontrol') return { stdout: scontrolLine('exp_job', state, exitCode, runTime) };
    return undefined;
  });
}

function executor(runner: CommandRunner, overrides: Partial<SlurmExecutorOptions> = {}) {
  return createSlurmExecutor({ runner, extraArgs: [], pollIntervalSec: 0.01, ...overrides });
}

function handle(overrides: Partial<SlurmHandle> = {}): SlurmHandle {
  return {
    executor: 'slurm',
    jobId: 'exp_job',
    slurmJobId: '42',
    startedAt: Date.now(),
    timeLimitSec: 60,
    logPath: '/shared/x.log',
    ...overrides,
  };
}

async function jobSpec(overrides: Partial<JobSpec> = {}): Promise<JobSpec> {
  const dir = await tempDir();
  return {
    jobId: 'exp_job',
    command: ['python3', 'train.py', '--name', "it's"],
    cwd: join(dir, 'workspace'),
    env: { PATH: '/usr/bin:/bin', HOME: join(dir, 'home') },
    logPath: join(dir, 'logs', 'train.log'),
    timeLimitSec: 61,
    resources: { gpus: 2, cpus: 4, memoryGiB: 1.5, timeLimitSec: 61, evaluateTimeLimitSec: 60 },
    writable: [dir],
    readOnly: [],
    devices: [],
    ...overrides,
  };
}

describe('the batch script', () => {
  it('asks for the job’s resources in #SBATCH lines', async () => {
    const spec = await jobSpec();
    const script = batchScript(spec, { partition: 'gpu', account: 'lab', extraArgs: ['--qos=high'] });
    const options = script.split('\n').filter((line) => line.startsWith('#SBATCH '));
    expect(options).toEqual([
      '#SBATCH --job-name=exp_job',
      `#SBATCH --output=${spec.logPath}`,
      `#SBATCH --chdir=${spec.cwd}`,
      '#SBATCH --nodes=1',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=1536',
      '#SBATCH --time=2',
      '#SBATCH --gres=gpu:2',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab',
      '#SBATCH --qos=high',
      '#SBATCH --export=NONE',
    ]);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script.trimEnd().split('\n').at(-1)).toBe(`exec python3 train.py --name 'it'\\''s'`);
  });

  it('asks for no GPU for a CPU job and hides the devices from it', async () => {
    const script = batchScript(
      await jobSpec({ resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60 } }),
      { extraArgs: [] },
    );
    expect(script).not.toContain('--gres');
    expect(script).toContain('export CUDA_VISIBLE_DEVICES=\n');
  });

  it('quotes paths for sbatch: spaces in double quotes, `%` doubled', async () => {
    const script = batchScript(await jobSpec({ cwd: '/shared/my runs/a', logPath: '/shared/100%/log #1.txt' }), {
      extraArgs: [],
    });
    expect(script).toContain('#SBATCH --chdir="/shared/my runs/a"\n');
    expect(script).toContain('#SBATCH --output="/shared/100%%/log #1.txt"\n');
  });

  it('refuses what it cannot pass on safely', async () => {
    await expect(
      jobSpec({ cwd: '/shared/say "hi"' }).then((spec) => batchScript(spec, { extraArgs: [] })),
    ).rejects.toThrow(/double quote/);
    await expect(
      jobSpec({ env: { 'NOT-A-NAME': 'x' } }).then((spec) => batchScript(spec, { extraArgs: [] })),
    ).rejects.toThrow(/not valid in a shell/);
  });

  it('gives the job exactly its environment, whatever the values hold, plus Slurm’s own variables', async () => {
    const tricky = {
      QUOTES: `it's "quoted"`,
      SPACES: '  two  spaces  ',
      DOLLARS: '$HOME ${PATH} $(echo no) `echo no`',
      BACKSLASH: 'a\\b\\\\c\\',
      NEWLINE: 'line one\nline two',
      EMPTY: '',
    };
    const spec = await jobSpec({
      command: [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'],
      env: { PATH: '/usr/bin:/bin', ...tricky },
      resources: { gpus: 1, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
    });
    const script = batchScript(spec, { extraArgs: [] });
    // Run it as slurmd would: bash, in a login environment holding a secret, with Slurm's variables added.
    // (stdin not a socket: Debian's bash would read ~/.bashrc, taking us for sshd.)
    const ran = spawnSync('bash', ['-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin', OPENAI_API_KEY: 'sk-secret', SLURM_JOB_ID: '42', CUDA_VISIBLE_DEVICES: '1' },
      encoding: 'utf8',
    });
    expect(ran.stderr).toBe('');
    const seen = JSON.parse(ran.stdout) as Record<string, string>;
    expect(seen).toMatchObject({ ...tricky, SLURM_JOB_ID: '42', CUDA_VISIBLE_DEVICES: '1' });
    expect(seen.OPENAI_API_KEY).toBeUndefined();
    // Nothing else but what the shell itself may set.
    const expected = [...Object.keys(spec.env), 'SLURM_JOB_ID', 'CUDA_VISIBLE_DEVICES'];
    const extra = Object.keys(seen).filter((name) => !expected.includes(name));
    expect(extra.filter((name) => !['PWD', 'SHLVL', '_'].includes(name))).toEqual([]);
  });
});

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

describe('command runners', () => {
  const tricky = [
    "it's",
    'two  spaces',
    '$HOME',
    '`id`',
    '"double"',
    'back\\slash',
    'new\nline',
    '*',
    '',
    '-n',
    ';|&><',
  ];

  it('quotes arguments for a POSIX shell', () => {
    for (const argument of tricky) {
      const echoed = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(argument)}`], { encoding: 'utf8' });
      expect(echoed.stdout).toBe(argument);
    }
    expect(shellQuote('plain/path-1.txt')).toBe('plain/path-1.txt');
  });

  it('runs commands over ssh with every argument intact (a fake ssh on PATH runs them here)', async () => {
    const bin = await tempDir();
    const record = join(bin, 'ssh-args');
    // Like ssh: the words after `--` are joined with spaces and handed to a shell.
    await writeFile(
      join(bin, 'ssh'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\nwhile [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done\nshift\nexec /bin/sh -c "$*"\n`,
    );
    await chmod(join(bin, 'ssh'), 0o755);
    const runner = createSshRunner('me@login', { env: { PATH: `${bin}:/usr/bin:/bin` }, sshArgs: ['-p', '2222'] });
    const result = await runner.run(['printf', '%s\\0', ...tricky]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(tricky);
    expect((await readFile(record, 'utf8')).split('\n').slice(0, 6)).toEqual([
      '-o',
      'BatchMode=yes',
      '-p',
      '2222',
      'me@login',
      '--',
    ]);
    expect(await runner.run(['cat'], { input: 'the script\n' })).toMatchObject({ code: 0, stdout: 'the script\n' });
    expect(await runner.run(['sh', '-c', 'exit 3'])).toMatchObject({ code: 3 });
  });

  it('passes on only what Slurm and ssh need from this process’s environment', async () => {
    process.env.GROUNDWORK_RUNNER_SECRET = 'sk-do-not-pass';
    const previous = process.env.SLURM_CONF;
    process.env.SLURM_CONF = '/etc/slurm/test.conf';
    try {
      const result = await createLocalRunner().run(['env']);
      expect(result.stdout).toContain('SLURM_CONF=/etc/slurm/test.conf');
      expect(result.stdout).not.toContain('sk-do-not-pass');
    } finally {
      delete process.env.GROUNDWORK_RUNNER_SECRET;
      if (previous === undefined) delete process.env.SLURM_CONF;
      else process.env.SLURM_CONF = previous;
    }
  });

  it('reports a missing program as 127 and a hung one as 124', async () => {
    expect(await createLocalRunner().run(['groundwork-no-such-program'])).toMatchObject({
      code: 127,
      stderr: expect.stringMatching(/cannot run groundwork-no-such-program/) as unknown,
    });
    const hung = await createLocalRunner({ timeoutSec: 0.2 }).run(['sleep', '5']);
    expect(hung).toMatchObject({ code: 124, stderr: expect.stringMatching(/did not finish within 0.2 s/) as unknown });
  });
});
