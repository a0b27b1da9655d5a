// Shared setup for the Slurm executor tests: a scripted command runner stands in for sbatch, squeue, sacct, scontrol, scancel.
import { join } from 'node:path';

import type { SlurmHandle } from '../../../src/domain/job-handle.js';
import type { CommandResult, CommandRunner } from '../../../src/executors/command-runner.js';
import type { JobSpec } from '../../../src/executors/executor.js';
import { createSlurmExecutor, type SlurmExecutorOptions } from '../../../src/executors/slurm.js';
import { tempDir } from '../../helpers/temp-dir.js';

export type Reply = Partial<CommandResult> | undefined;

/** A runner that answers each command with `reply(argv)` (default: success, no output) and records the calls. */
export function scriptedRunner(reply: (argv: string[], input: string | undefined) => Reply) {
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

export const ACCOUNTING_DISABLED: Reply = { code: 1, stderr: 'Slurm accounting storage is disabled\n' };
export const INVALID_JOB: Reply = { code: 1, stderr: 'slurm_load_jobs error: Invalid job id specified\n' };

export function scontrolLine(name: string, state: string, exitCode: string, runTime = '00:00:07'): string {
  return `JobId=42 JobName=${name} UserId=me(1000) JobState=${state} Reason=None ExitCode=${exitCode} RunTime=${runTime} TimeLimit=00:01:00 WorkDir=/shared/runs/a b StdOut=/shared/x.log\n`;
}

/** A cluster where job 42 has already ended with `state` and `exitCode`, known only to scontrol. */
export function endedCluster(state: string, exitCode: string, runTime?: string) {
  return scriptedRunner((argv) => {
    if (argv[0] === 'sbatch') return { stdout: '42\n' };
    if (argv[0] === 'sacct') return ACCOUNTING_DISABLED;
    if (argv[0] === 'scontrol') return { stdout: scontrolLine('exp_job', state, exitCode, runTime) };
    return undefined;
  });
}

export function executor(runner: CommandRunner, overrides: Partial<SlurmExecutorOptions> = {}) {
  return createSlurmExecutor({ runner, extraArgs: [], pollIntervalSec: 0.01, ...overrides });
}

export function handle(overrides: Partial<SlurmHandle> = {}): SlurmHandle {
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

export async function jobSpec(overrides: Partial<JobSpec> = {}): Promise<JobSpec> {
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
