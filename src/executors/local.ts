// Local executor: a child process under bubblewrap in its own process group, killed as a whole on timeout or cancel.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { LocalHandle } from '../domain/job-handle.js';
import { refuseDataDirExposure } from './data-dir-guard.js';
import type { Executor, JobExit, JobSpec, JobStatus, RunHandle } from './executor.js';
import { descendants, killAndWait } from './process-tree.js';
import { bwrapArgv, detectNetworkIsolation, probeBwrap, pythonView, type PythonView } from './local-sandbox.js';

export interface LocalExecutorOptions {
  /** Seconds between SIGTERM and SIGKILL. */
  killGraceSec: number;
  /**
   * With the sandbox off only: run jobs in a fresh network namespace (no network). `auto` uses it when available.
   * Under bubblewrap a job never has a network.
   */
  isolateNetwork: 'auto' | 'required' | 'off';
  /**
   * `bwrap` (default): every job runs under bubblewrap; where it cannot run, jobs that run edited code are refused
   * (`trusted` jobs, the environment's own code, run unsandboxed). `off`: no sandbox, and reports say so.
   */
  sandbox?: 'bwrap' | 'off';
  /** The bubblewrap binary (default `bwrap` on PATH). */
  bwrapPath?: string;
  /** The daemon's data directory: a job given its store, artifacts or daemon.json is refused (data-dir-guard.ts). */
  dataDir?: string;
}

/** The refusal when edited code would run without the sandbox. */
export function sandboxUnavailable(why: string): ResearchError {
  return new ResearchError(
    'sandbox_unavailable',
    `sandbox_unavailable: the local executor runs edited code only under bubblewrap, and ${why}. ` +
      'Install it (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`), or set ' +
      '`executor.local.sandbox: "off"` in the config to run jobs unsandboxed, knowingly: they can then read and ' +
      'change whatever this user can (the store, the daemon token, held-out data), and every result says so.',
  );
}

interface LiveJob {
  pid: number;
  startedAt: number;
  done: Promise<JobExit>;
  /** Stops the job's whole process group (SIGTERM, then SIGKILL after the grace period), recording why. */
  stop(reason: 'cancelled' | 'timedOut'): void;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** The kernel's start time of a process (Linux), to tell our job from a later process that reused its pid. */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True when the handle's process is still the one we started. */
function isSameProcess(handle: RunHandle): handle is LocalHandle {
  if (handle.executor !== 'local' || typeof handle.pid !== 'number' || !isAlive(handle.pid)) return false;
  const recorded = typeof handle.startTicks === 'string' ? handle.startTicks : undefined;
  return recorded === undefined || processStartTicks(handle.pid) === recorded;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createLocalExecutor(options: LocalExecutorOptions): Executor<LocalHandle> {
  const jobs = new Map<string, LiveJob>();
  let isolation: string[] | undefined | null = null;
  const bwrap = options.bwrapPath ?? 'bwrap';
  /** Why bubblewrap cannot run here (undefined when it can); probed once. */
  let bwrapProblem: string | undefined | null = options.sandbox === 'off' ? 'the sandbox is off' : null;
  const sandboxProblem = (): string | undefined => {
    if (bwrapProblem === null) bwrapProblem = probeBwrap(bwrap);
    return bwrapProblem;
  };
  const pythons = new Map<string, PythonView | undefined>();
  const python = (command: string, env: Record<string, string>): PythonView | undefined => {
    const key = `${command}\0${env.PATH ?? ''}`;
    if (!pythons.has(key)) pythons.set(key, pythonView(command, env));
    return pythons.get(key);
  };

  /** The argv that runs the job: under bubblewrap, or (sandbox off, or a trusted job where it cannot run) without. */
  const jobArgv = (spec: JobSpec): string[] => {
    refuseDataDirExposure(spec, options.dataDir);
    const problem = sandboxProblem();
    if (problem === undefined) {
      const [first, ...rest] = spec.command;
      const interpreter = first === undefined ? undefined : python(first, spec.env);
      const command = interpreter ? [interpreter.executable, ...rest] : spec.command;
      return bwrapArgv(
        bwrap,
        {
          writable: spec.writable,
          readOnly: [...spec.readOnly, ...(interpreter?.readOnly ?? [])],
          hidden: spec.hidden ?? [],
          private: spec.private,
          gpu: spec.devices.length > 0,
        },
        spec.cwd,
        command,
      );
    }
    if (options.sandbox !== 'off' && !spec.trusted) throw sandboxUnavailable(problem);
    return [...networkPrefix(), ...spec.command];
  };

  const networkPrefix = (): string[] => {
    if (options.isolateNetwork === 'off') return [];
    if (isolation === null) isolation = detectNetworkIsolation();
    if (isolation) return isolation;
    if (options.isolateNetwork === 'required') {
      throw new ResearchError(
        'executor',
        'network isolation is required but `unshare --net` does not work here; install bubblewrap, run as root, enable user namespaces, or set executor.isolateNetwork to "auto"',
      );
    }
    return [];
  };

  return {
    kind: 'local',
    reattachable: false,
    managesDevices: false,
    detectsOom: false,
    get sandbox(): 'bwrap' | 'off' {
      return sandboxProblem() === undefined ? 'bwrap' : 'off';
    },
    async start(spec: JobSpec): Promise<LocalHandle> {
      if (jobs.has(spec.jobId)) throw new ResearchError('executor', `job ${spec.jobId} is already running`);
      // Refused (sandbox unavailable, network isolation required) before anything is created.
      const argv = jobArgv(spec);
      await mkdir(dirname(spec.logPath), { recursive: true });
      const log = openSync(spec.logPath, 'w');
      const startedAt = Date.now();
      let child;
      try {
        child = spawn(argv[0] as string, argv.slice(1), {
          cwd: spec.cwd,
          // The job sees exactly its allocated GPUs, and none when it was given none.
          env: { ...spec.env, CUDA_VISIBLE_DEVICES: spec.devices.join(',') },
          detached: true,
          stdio: ['ignore', log, log],
        });
      } finally {
        closeSync(log);
      }
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid as number));
        child.once('error', (error) =>
          reject(new ResearchError('executor', `cannot start ${argv[0]}: ${error.message}`, { cause: error })),
        );
      });
      const why = { cancelled: false, timedOut: false };
      let escalation: NodeJS.Timeout | undefined;
      // The sandbox's processes live in their own session and PID namespace: noted when stopping, so they are
      // known to be gone (not merely signalled) before the job counts as ended.
      let tree: ReturnType<typeof descendants> = [];
      const stop = (reason: 'cancelled' | 'timedOut'): void => {
        why[reason] = true;
        tree = descendants(pid);
        killGroup(pid, 'SIGTERM');
        escalation ??= setTimeout(() => killGroup(pid, 'SIGKILL'), options.killGraceSec * 1000);
      };
      const limit = setTimeout(() => stop('timedOut'), spec.timeLimitSec * 1000);
      const done = new Promise<JobExit>((resolve) => {
        child.once('exit', (code, signal) => {
          clearTimeout(limit);
          if (escalation) clearTimeout(escalation);
          // Whatever the job left behind in its group goes with it.
          killGroup(pid, 'SIGKILL');
          jobs.delete(spec.jobId);
          void killAndWait(tree).then(() =>
            resolve({
              exitCode: code,
              signal,
              timedOut: why.timedOut,
              cancelled: why.cancelled,
              oomKilled: false,
              durationMs: Date.now() - startedAt,
            }),
          );
        });
      });
      jobs.set(spec.jobId, { pid, startedAt, done, stop });
      const startTicks = processStartTicks(pid);
      return { executor: 'local', jobId: spec.jobId, pid, startedAt, ...(startTicks ? { startTicks } : {}) };
    },

    async wait(handle: RunHandle): Promise<JobExit> {
      const job = jobs.get(handle.jobId);
      if (job) return job.done;
      throw new ResearchError(
        'executor',
        `job ${handle.jobId} is not known to this process (it ran under an earlier daemon)`,
      );
    },

    async poll(handle: RunHandle): Promise<JobStatus> {
      if (jobs.has(handle.jobId)) return { state: 'running' };
      if (isSameProcess(handle)) return { state: 'running' };
      return { state: 'lost', reason: 'the process is gone and its exit status was not observed by this daemon' };
    },

    async cancel(handle: RunHandle): Promise<void> {
      const job = jobs.get(handle.jobId);
      if (job) {
        job.stop('cancelled');
        await job.done;
        return;
      }
      // A job from an earlier daemon: its process group id is its pid.
      if (isSameProcess(handle)) killGroup(handle.pid, 'SIGKILL');
    },

    async close(): Promise<void> {
      await Promise.all(
        [...jobs.values()].map(async (job) => {
          job.stop('cancelled');
          await job.done;
        }),
      );
    },
  };
}
