// The sbatch batch script for one job: resources as #SBATCH lines, exactly the job's environment, then exec.
import { ResearchError } from '../domain/errors.js';
import { shellQuote } from './command-runner.js';
import { refuseDataDirExposure } from './data-dir-guard.js';
import type { JobSpec } from './executor.js';

export interface SlurmPlacement {
  partition?: string | undefined;
  account?: string | undefined;
  /** Further sbatch options, one per #SBATCH line (e.g. `--qos=high`). */
  extraArgs: readonly string[];
  /** Job comment naming whose job it is (`groundwork:<scope hash>`), so a daemon reaps only its own jobs. */
  comment?: string | undefined;
  /**
   * The daemon's data directory: a job naming its store, artifacts or daemon.json is refused. A Slurm job itself runs
   * unsandboxed as the user on the node: it sees whatever that user sees there (see the README's sandbox section).
   */
  dataDir?: string | undefined;
}

/**
 * Variables the job keeps from its batch environment besides its own: Slurm's description of the allocation and
 * the devices Slurm gave it. Everything else (the login environment Slurm loads with --export=NONE) is dropped.
 */
const KEPT_FROM_SLURM = ['SLURM_*', 'SLURMD_*', 'CUDA_VISIBLE_DEVICES', 'GPU_DEVICE_ORDINAL', 'ROCR_VISIBLE_DEVICES'];

/** The sbatch time limit: whole minutes, rounded up. */
export function slurmMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** An #SBATCH value: sbatch reads double-quoted words there, and expands `%` patterns in file names. */
function sbatchWord(value: string, what: string): string {
  if (/["\n\r]/.test(value)) {
    throw new ResearchError(
      'bad_input',
      `${what} ${JSON.stringify(value)} cannot be passed to Slurm: it contains a double quote or a line break`,
    );
  }
  return /[\s#'\\]/.test(value) ? `"${value}"` : value;
}

/** A path for --output: `%` would be read as a pattern (`%j` = job id), so it is doubled. */
function sbatchPath(path: string, what: string): string {
  return sbatchWord(path.replace(/%/g, '%%'), what);
}

export function batchScript(spec: JobSpec, placement: SlurmPlacement): string {
  refuseDataDirExposure(spec, placement.dataDir);
  const { resources } = spec;
  const options = [
    `--job-name=${sbatchWord(spec.jobId, 'the job id')}`,
    `--output=${sbatchPath(spec.logPath, 'the log path')}`,
    `--chdir=${sbatchWord(spec.cwd, 'the working directory')}`,
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${Math.max(1, Math.ceil(resources.cpus))}`,
    `--mem=${Math.ceil(resources.memoryGiB * 1024)}`,
    `--time=${slurmMinutes(spec.timeLimitSec)}`,
    ...(resources.gpus > 0 ? [`--gres=gpu:${resources.gpus}`] : []),
    ...(placement.partition ? [`--partition=${sbatchWord(placement.partition, 'the partition')}`] : []),
    ...(placement.account ? [`--account=${sbatchWord(placement.account, 'the account')}`] : []),
    ...placement.extraArgs.map((arg) => sbatchWord(arg, 'the sbatch argument')),
    ...(placement.comment ? [`--comment=${sbatchWord(placement.comment, 'the job comment')}`] : []),
    '--export=NONE',
  ];
  for (const name of Object.keys(spec.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ResearchError('bad_input', `environment variable name ${JSON.stringify(name)} is not valid in a shell`);
    }
  }
  if (spec.command.length === 0) throw new ResearchError('bad_input', `job ${spec.jobId} has an empty command`);
  const exports = Object.entries(spec.env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  // A CPU job sees no GPU, as with the other executors; Slurm sets the variable itself for a GPU job.
  if (resources.gpus === 0) exports.push('export CUDA_VISIBLE_DEVICES=');
  // Without a PATH of its own the job keeps the node's (its modules, its conda), not this machine's.
  const kept = spec.env.PATH === undefined ? [...KEPT_FROM_SLURM, 'PATH'] : KEPT_FROM_SLURM;
  return [
    '#!/bin/bash',
    `# groundwork job ${spec.jobId}`,
    ...options.map((option) => `#SBATCH ${option}`),
    '',
    '# The job sees exactly its own environment, plus the variables that describe its Slurm allocation.',
    `for name in $(compgen -e); do`,
    `  case "$name" in ${kept.join('|')}) ;; *) unset "$name" 2>/dev/null ;; esac`,
    'done',
    ...exports,
    '',
    `exec ${spec.command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}
