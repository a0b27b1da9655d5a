// Slurm executor: each job is an sbatch batch job, followed with squeue/sacct/scontrol and stopped with scancel.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { SlurmHandle } from '../domain/job-handle.js';
import { type Logger, silentLogger } from '../util/logger.js';
import type { CommandResult, CommandRunner } from './command-runner.js';
import type { Executor, JobExit, JobSpec, JobStatus, RunHandle } from './executor.js';
import { batchScript, slurmMinutes } from './slurm-script.js';
import {
  outcomeOf,
  parseJobcomp,
  parseSacct,
  parseScontrol,
  parseSqueue,
  type SlurmOutcome,
  type SlurmReport,
} from './slurm-state.js';

/**
 * Where jobs run is the cluster's business: the job's cwd, log and every path in its environment must be on a
 * folder that this machine and the compute nodes see at the same path (`executor.slurm.sharedDir`).
 */
export interface SlurmExecutorOptions {
  /** Runs sbatch, squeue, … here (`createLocalRunner`) or on a login node (`createSshRunner`). */
  runner: CommandRunner;
  partition?: string | undefined;
  account?: string | undefined;
  extraArgs: string[];
  pollIntervalSec: number;
  /** How long `wait` keeps polling while Slurm cannot be reached before it gives up (default 300 s). */
  outageToleranceSec?: number;
  /**
   * Whose jobs these are (e.g. the daemon's data directory): `reap` cancels only jobs of the same scope, so daemons
   * sharing a cluster account leave each other's jobs alone. Unset: every groundwork job of the user is in scope.
   */
  scope?: string | undefined;
  /** The daemon's data directory: jobs naming its store, artifacts or daemon.json are refused (slurm-script.ts). */
  dataDir?: string | undefined;
  /** How long `cancel` waits for a cancelled job to leave its node (default 60 s; Slurm's KillWait is 30 s). */
  cancelWaitSec?: number;
  log?: Logger;
}

/** What this process did to a job, which Slurm's records do not say (its own cancel for the time limit). */
interface JobMarks {
  cancelled: boolean;
  timedOut: boolean;
  /** When this process first saw the job running. */
  runningSince?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function asSlurmHandle(handle: RunHandle): SlurmHandle {
  const h = handle as Partial<SlurmHandle>;
  if (h.executor !== 'slurm' || typeof h.slurmJobId !== 'string' || typeof h.timeLimitSec !== 'number') {
    throw new ResearchError(
      'executor',
      `job ${handle.jobId} was not started by the Slurm executor (${handle.executor})`,
    );
  }
  return { ...h, startedAt: typeof h.startedAt === 'number' ? h.startedAt : Date.now() } as SlurmHandle;
}

function output(result: CommandResult): string {
  return (result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`).replace(/\s*\n\s*/g, '; ');
}

function unreachable(command: string, result: CommandResult): ResearchError {
  return new ResearchError(
    'executor',
    `cannot reach Slurm (${command}): ${output(result)} — is slurmctld running and SLURM_CONF set (or executor.slurm.sshHost reachable)?`,
    { retryable: true },
  );
}

/** Errors that mean "no connection to the cluster" rather than "the cluster said no". */
const CONNECTION_FAILURE =
  /Unable to contact|Communication connection failure|Socket timed out|Zero Bytes were transmitted|Connection refused|Could not resolve|Could not establish|Unable to establish|slurm_load_ctl_conf|Permission denied \(|cannot run|not found|No such file/i;

function describeResources(spec: JobSpec, partition: string | undefined): string {
  const { gpus, cpus, memoryGiB } = spec.resources;
  const parts = [
    `${gpus} GPU${gpus === 1 ? '' : 's'}`,
    `${cpus} CPU${cpus === 1 ? '' : 's'}`,
    `${memoryGiB} GiB of memory`,
    `${slurmMinutes(spec.timeLimitSec)} min`,
  ];
  return `${parts.join(', ')}${partition ? ` on partition ${partition}` : ''}`;
}

function submitError(spec: JobSpec, result: CommandResult, partition: string | undefined): ResearchError {
  const detail = output(result).replace(/sbatch: error: /g, '');
  if (result.code === 127 || result.code === 124 || result.code === 255 || CONNECTION_FAILURE.test(detail)) {
    return new ResearchError(
      'executor',
      `cannot submit to Slurm: ${detail} — is slurmctld running and SLURM_CONF set (or executor.slurm.sshHost naming a login node that ssh reaches without a password)? \`sinfo\` there should list the partitions.`,
      { retryable: true },
    );
  }
  const reason = detail.replace(/^.*Batch job submission failed: /, '');
  return new ResearchError(
    'executor',
    `Slurm refused job ${spec.jobId}, which asks for ${describeResources(spec, partition)}: ${reason} — ask for what a node of the partition offers (the environment's or its profile's resources), or pick another partition, account or sbatch arguments in executor.slurm.`,
    { details: { resources: spec.resources, partition } },
  );
}

export function createSlurmExecutor(
  options: SlurmExecutorOptions,
): Executor<SlurmHandle> & Required<Pick<Executor, 'reap'>> {
  const { runner } = options;
  const log = options.log ?? silentLogger;
  const comment = options.scope
    ? `groundwork:${createHash('sha256').update(options.scope).digest('hex').slice(0, 16)}`
    : undefined;
  const pollMs = options.pollIntervalSec * 1000;
  const marks = new Map<string, JobMarks>();
  /** False once sacct said accounting is disabled: no need to ask again. */
  let accounting = true;
  /** The jobcomp/filetxt log, found once through `scontrol show config`; null when the cluster keeps none. */
  let jobcompPath: string | null | undefined;
  let closed = false;

  const marksOf = (handle: SlurmHandle): JobMarks => {
    let found = marks.get(handle.slurmJobId);
    if (!found) marks.set(handle.slurmJobId, (found = { cancelled: false, timedOut: false }));
    return found;
  };

  const findJobcomp = async (): Promise<string | null> => {
    if (jobcompPath !== undefined) return jobcompPath;
    const config = await runner.run(['scontrol', 'show', 'config']);
    if (config.code !== 0) throw unreachable('scontrol show config', config);
    const setting = (name: string): string | undefined =>
      new RegExp(`^${name}\\s*=\\s*(.*)$`, 'm').exec(config.stdout)?.[1]?.trim();
    const location = setting('JobCompLoc');
    jobcompPath = setting('JobCompType') === 'jobcomp/filetxt' && location ? location : null;
    return jobcompPath;
  };

  /** How the job ended, from whichever record still has it: accounting, slurmctld's memory, the jobcomp log. */
  const endedReport = async (handle: SlurmHandle): Promise<SlurmReport | undefined> => {
    const id = handle.slurmJobId;
    if (accounting) {
      const acct = await runner.run([
        'sacct',
        '-X',
        '-n',
        '-P',
        '-j',
        id,
        '--format=State,ExitCode,ElapsedRaw,JobName',
      ]);
      if (/accounting storage is disabled/i.test(acct.stdout + acct.stderr)) accounting = false;
      else if (acct.code === 0) {
        const found = parseSacct(acct.stdout, handle.jobId);
        if (found?.phase === 'ended') return found;
      }
    }
    const show = await runner.run(['scontrol', 'show', 'job', '-o', id]);
    if (show.code === 0) {
      const found = parseScontrol(show.stdout, handle.jobId);
      if (found) return found;
    } else if (!/Invalid job id/i.test(show.stderr)) throw unreachable('scontrol show job', show);
    const jobcomp = await findJobcomp();
    if (!jobcomp) return undefined;
    const lines = await runner.run(['grep', '-F', '--', `JobId=${id} `, jobcomp]);
    return lines.code === 0 ? parseJobcomp(lines.stdout, id, handle.jobId) : undefined;
  };

  /** The job's state now; undefined when no Slurm command knows it. */
  const inspect = async (handle: SlurmHandle): Promise<SlurmReport | undefined> => {
    const queue = await runner.run(['squeue', '-h', '-j', handle.slurmJobId, '-o', '%T|%M|%j']);
    if (queue.code === 0) {
      const found = parseSqueue(queue.stdout, handle.jobId);
      if (found?.phase === 'active') return found;
    } else if (!/Invalid job id/i.test(queue.stderr)) throw unreachable('squeue', queue);
    return endedReport(handle);
  };

  const lostReason = (handle: SlurmHandle): string =>
    `Slurm has no record of job ${handle.slurmJobId} (${handle.jobId}): squeue, sacct and scontrol do not know it`;

  const lostError = (handle: SlurmHandle, reason: string): ResearchError =>
    new ResearchError(
      'executor',
      `the cluster lost Slurm job ${handle.slurmJobId} (${handle.jobId}): ${reason}; the run has to be started again`,
      { retryable: true },
    );

  /** The exit of an ended job, with what this process knows beyond Slurm's record. */
  const exitOf = (
    handle: SlurmHandle,
    found: SlurmReport,
    outcome: Extract<SlurmOutcome, { kind: 'exit' }>,
  ): JobExit => {
    const mark = marks.get(handle.slurmJobId);
    const exit = {
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      cancelled: outcome.cancelled,
      oomKilled: outcome.oomKilled,
    };
    // Cancelled past its time limit: our own enforcement did it (perhaps in a previous daemon).
    const overLimit = found.elapsedSec !== undefined && found.elapsedSec >= handle.timeLimitSec;
    const timedOut = exit.timedOut || mark?.timedOut === true || (exit.cancelled && !mark?.cancelled && overLimit);
    return {
      ...exit,
      timedOut,
      cancelled: exit.cancelled && !timedOut,
      durationMs: found.elapsedSec !== undefined ? found.elapsedSec * 1000 : Date.now() - handle.startedAt,
    };
  };

  const scancel = async (handle: SlurmHandle): Promise<void> => {
    const result = await runner.run(['scancel', handle.slurmJobId]);
    if (result.code === 0 || /already completing or completed|Invalid job id/i.test(result.stderr)) return;
    throw unreachable('scancel', result);
  };

  /** Our own time limit: Slurm's is in whole minutes and checked about every 30 s. */
  const enforceTimeLimit = async (handle: SlurmHandle, found: SlurmReport & { phase: 'active' }): Promise<void> => {
    const mark = marksOf(handle);
    if (mark.timedOut || mark.cancelled) return;
    if (found.state !== 'RUNNING' && found.state !== 'COMPLETING') return;
    mark.runningSince ??= Date.now() - (found.elapsedSec ?? 0) * 1000;
    const elapsedSec = Math.max(found.elapsedSec ?? 0, (Date.now() - mark.runningSince) / 1000);
    if (elapsedSec < handle.timeLimitSec) return;
    mark.timedOut = true;
    log.info('stopping a Slurm job at its time limit', { job: handle.jobId, slurmJobId: handle.slurmJobId });
    await scancel(handle);
  };

  return {
    kind: 'slurm',
    reattachable: true,
    managesDevices: true,
    detectsOom: true,

    async start(spec: JobSpec): Promise<SlurmHandle> {
      const script = batchScript(spec, { ...options, comment });
      const logDir = dirname(spec.logPath);
      try {
        await mkdir(logDir, { recursive: true });
        // A copy of what was submitted, for whoever reads the log.
        await writeFile(join(logDir, `${spec.jobId}.sbatch`), script);
      } catch (error) {
        throw new ResearchError(
          'executor',
          `cannot write the log folder ${logDir} of job ${spec.jobId}: ${(error as Error).message} — run folders must be on a shared path this machine can write (executor.slurm.sharedDir)`,
          { cause: error },
        );
      }
      const startedAt = Date.now();
      const result = await runner.run(['sbatch', '--parsable'], { input: script });
      if (result.code !== 0) throw submitError(spec, result, options.partition);
      const slurmJobId = result.stdout.trim().split('\n').at(-1)?.split(';')[0]?.trim() ?? '';
      if (!/^\d+$/.test(slurmJobId)) {
        throw new ResearchError(
          'executor',
          `cannot submit to Slurm: sbatch printed ${JSON.stringify(result.stdout.trim())} instead of a job id`,
        );
      }
      log.debug('submitted a Slurm job', { job: spec.jobId, slurmJobId });
      const handle: SlurmHandle = {
        executor: 'slurm',
        jobId: spec.jobId,
        slurmJobId,
        startedAt,
        timeLimitSec: spec.timeLimitSec,
        logPath: spec.logPath,
      };
      return handle;
    },

    async wait(raw: RunHandle): Promise<JobExit> {
      const handle = asSlurmHandle(raw);
      const toleranceMs = (options.outageToleranceSec ?? 300) * 1000;
      let failingSince: number | undefined;
      for (;;) {
        if (closed) {
          throw new ResearchError(
            'executor',
            `stopped waiting for Slurm job ${handle.slurmJobId} (${handle.jobId}): the executor was closed; the job carries on in the cluster`,
          );
        }
        let found: SlurmReport | undefined;
        try {
          found = await inspect(handle);
          failingSince = undefined;
        } catch (error) {
          if (!ResearchError.is(error) || !error.retryable) throw error;
          failingSince ??= Date.now();
          if (Date.now() - failingSince >= toleranceMs) throw error;
          log.warn('Slurm did not answer; trying again', { job: handle.jobId, error: error.message });
          await sleep(pollMs);
          continue;
        }
        if (!found) throw lostError(handle, lostReason(handle));
        if (found.phase === 'ended') {
          const outcome = outcomeOf(found.state, found.exitCode);
          if (outcome.kind === 'lost') throw lostError(handle, outcome.reason);
          return exitOf(handle, found, outcome);
        }
        await enforceTimeLimit(handle, found);
        await sleep(pollMs);
      }
    },

    async poll(raw: RunHandle): Promise<JobStatus> {
      const handle = asSlurmHandle(raw);
      const found = await inspect(handle);
      if (!found) return { state: 'lost', reason: lostReason(handle) };
      if (found.phase === 'active') return { state: 'running' };
      const outcome = outcomeOf(found.state, found.exitCode);
      if (outcome.kind === 'lost') return { state: 'lost', reason: outcome.reason };
      return { state: 'exited', ...exitOf(handle, found, outcome) };
    },

    async cancel(raw: RunHandle): Promise<void> {
      const handle = asSlurmHandle(raw);
      const mark = marksOf(handle);
      if (!mark.timedOut) mark.cancelled = true;
      await scancel(handle);
      // Return once the job's processes are gone, so that its devices and files are free.
      const deadline = Date.now() + (options.cancelWaitSec ?? 60) * 1000;
      while (Date.now() < deadline) {
        const found = await inspect(handle).catch(() => undefined);
        if (found?.phase !== 'active') return;
        await sleep(Math.min(pollMs, 500));
      }
      log.warn('a cancelled Slurm job is still on its node', { job: handle.jobId, slurmJobId: handle.slurmJobId });
    },

    async reap(keep: (jobId: string) => boolean): Promise<string[]> {
      const queue = await runner.run(['squeue', '-h', '--me', '-o', '%i|%k|%j']);
      if (queue.code !== 0) throw unreachable('squeue --me', queue);
      const removed: string[] = [];
      for (const line of queue.stdout.split('\n')) {
        const [slurmJobId = '', jobComment = '', ...name] = line.trim().split('|');
        const jobId = name.join('|');
        // Only jobs that look like ours (`exp_…-s0-train`) and of our scope, never the user's other work.
        if (!/^\d+$/.test(slurmJobId) || !jobId.startsWith('exp_') || keep(jobId)) continue;
        if (comment && jobComment !== comment) continue;
        await scancel({ executor: 'slurm', jobId, slurmJobId, startedAt: 0, timeLimitSec: 0, logPath: '' });
        removed.push(jobId);
      }
      return removed;
    },

    async close(): Promise<void> {
      // Jobs outlive the daemon in the cluster; a restarted daemon re-attaches to them.
      closed = true;
    },
  };
}
