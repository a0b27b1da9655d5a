// Local executor: a child process in its own process group, killed as a whole on timeout or cancel.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { Executor, JobExit, JobSpec, JobStatus, RunHandle } from './executor.js';

export interface LocalExecutorOptions {
  /** Seconds between SIGTERM and SIGKILL. */
  killGraceSec: number;
  /** Run jobs in a fresh network namespace (no network). `auto` uses it when available. */
  isolateNetwork: 'auto' | 'required' | 'off';
}

interface LiveJob {
  pid: number;
  startedAt: number;
  done: Promise<JobExit>;
  cancelled: boolean;
  timedOut: boolean;
  kill(): void;
}

/**
 * PID 1 of a sandboxed job. Arguments: a private root and the one folder under it to keep (both '' for none), the
 * number of read-only paths and the paths, the number of hidden paths and the paths, then the job's argv. In the
 * job's own mount namespace, the private root is replaced by an empty tmpfs holding only the kept folder (other
 * experiments' run folders disappear), read-only paths are bound read-only, a hidden folder gets an empty tmpfs over
 * it and a hidden file /dev/null. The job then runs without any capability (`setpriv`, when present), so even as
 * root it cannot unmount or remount what hides and protects those paths.
 */
const INIT_SCRIPT = [
  'root=$1; keep=$2; shift 2',
  'if [ -n "$root" ] && [ -d "$root" ] && [ -d "$keep" ]; then',
  '  stage=$(mktemp -d) || exit 125',
  '  mount --bind "$keep" "$stage" && mount -t tmpfs -o mode=755 groundwork-private "$root" &&',
  '    mkdir -p "$keep" && mount --move "$stage" "$keep" || exit 125',
  '  rmdir "$stage"',
  'fi',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do',
  '  if [ -e "$1" ]; then mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 125; fi',
  '  shift; n=$((n-1))',
  'done',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do',
  '  if [ -d "$1" ]; then mount -t tmpfs -o size=4k,mode=0 groundwork-hidden "$1" || exit 125;',
  '  elif [ -e "$1" ]; then mount --bind /dev/null "$1" || exit 125; fi',
  '  shift; n=$((n-1))',
  'done',
  'if command -v setpriv >/dev/null 2>&1; then',
  '  setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"; status=$?',
  'else "$@"; status=$?; fi',
  'exit $status',
].join('\n');

/**
 * The full argv of a job under an isolation prefix; where the prefix has a mount namespace, `readOnly` paths are
 * made read-only, `hidden` ones invisible, and of `private.root` only `private.keep` is left.
 */
export function withIsolation(
  prefix: readonly string[],
  paths: {
    readOnly: readonly string[];
    hidden: readonly string[];
    private?: { root: string; keep: string } | undefined;
  },
  command: readonly string[],
) {
  return prefix.at(-1) === 'groundwork-job'
    ? [
        ...prefix,
        paths.private?.root ?? '',
        paths.private?.keep ?? '',
        String(paths.readOnly.length),
        ...paths.readOnly,
        String(paths.hidden.length),
        ...paths.hidden,
        ...command,
      ]
    : [...prefix, ...command];
}

/**
 * The argv prefix that isolates a job, or undefined if none works here. Best: new network, PID and mount
 * namespaces with their own /proc, so the job has no network, cannot read other processes (such as this
 * daemon's environment through /proc/<ppid>/environ), and everything it starts, detached or not, dies with it.
 */
export function detectIsolation(): string[] | undefined {
  const sandbox = ['--net', '--pid', '--fork', '--mount-proc', '--kill-child'];
  for (const prefix of [
    ['unshare', ...sandbox],
    ['unshare', '--user', '--map-root-user', ...sandbox],
    ['unshare', '--net'],
    ['unshare', '--user', '--map-root-user', '--net'],
  ]) {
    const probe = spawnSync(prefix[0] as string, [...prefix.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
    if (probe.status !== 0) continue;
    // PID 1 of a namespace ignores SIGTERM unless it handles it: keep a shell as PID 1 so the job itself is
    // an ordinary process that a stop request reaches (the shell must not exec it, hence the status line).
    // The shell first hides the job's `hidden` paths in its private mount namespace (see `withIsolation`).
    return prefix.includes('--pid') ? [...prefix, '/bin/sh', '-c', INIT_SCRIPT, 'groundwork-job'] : prefix;
  }
  return undefined;
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
function isSameProcess(handle: RunHandle): boolean {
  if (typeof handle.pid !== 'number' || !isAlive(handle.pid)) return false;
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

export function createLocalExecutor(options: LocalExecutorOptions): Executor {
  const jobs = new Map<string, LiveJob>();
  let isolation: string[] | undefined | null = null;

  const networkPrefix = (): string[] => {
    if (options.isolateNetwork === 'off') return [];
    if (isolation === null) isolation = detectIsolation();
    if (isolation) return isolation;
    if (options.isolateNetwork === 'required') {
      throw new ResearchError(
        'executor',
        'network isolation is required but `unshare --net` does not work here; run as root, enable user namespaces, or set executor.isolateNetwork to "auto"',
      );
    }
    return [];
  };

  return {
    kind: 'local',
    reattachable: false,
    managesDevices: false,
    detectsOom: false,
    async start(spec: JobSpec): Promise<RunHandle> {
      if (jobs.has(spec.jobId)) throw new ResearchError('executor', `job ${spec.jobId} is already running`);
      await mkdir(dirname(spec.logPath), { recursive: true });
      const argv = withIsolation(
        networkPrefix(),
        { readOnly: spec.readOnly, hidden: spec.hidden ?? [], private: spec.private },
        spec.command,
      );
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
      const spawned = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid as number));
        child.once('error', (error) =>
          reject(new ResearchError('executor', `cannot start ${argv[0]}: ${error.message}`, { cause: error })),
        );
      });
      const job: LiveJob = {
        pid: spawned,
        startedAt,
        cancelled: false,
        timedOut: false,
        kill: () => undefined,
        done: Promise.resolve(undefined as unknown as JobExit),
      };
      let escalation: NodeJS.Timeout | undefined;
      job.kill = () => {
        killGroup(job.pid, 'SIGTERM');
        escalation ??= setTimeout(() => killGroup(job.pid, 'SIGKILL'), options.killGraceSec * 1000);
      };
      const limit = setTimeout(() => {
        job.timedOut = true;
        job.kill();
      }, spec.timeLimitSec * 1000);
      job.done = new Promise<JobExit>((resolve) => {
        child.once('exit', (code, signal) => {
          clearTimeout(limit);
          if (escalation) clearTimeout(escalation);
          // Whatever the job left behind in its group goes with it.
          killGroup(job.pid, 'SIGKILL');
          jobs.delete(spec.jobId);
          resolve({
            exitCode: code,
            signal,
            timedOut: job.timedOut,
            cancelled: job.cancelled,
            oomKilled: false,
            durationMs: Date.now() - startedAt,
          });
        });
      });
      jobs.set(spec.jobId, job);
      const startTicks = processStartTicks(job.pid);
      return { executor: 'local', jobId: spec.jobId, pid: job.pid, startedAt, ...(startTicks ? { startTicks } : {}) };
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
        job.cancelled = true;
        job.kill();
        await job.done;
        return;
      }
      // A job from an earlier daemon: its process group id is its pid.
      if (isSameProcess(handle)) killGroup(handle.pid as number, 'SIGKILL');
    },

    async close(): Promise<void> {
      await Promise.all(
        [...jobs.values()].map(async (job) => {
          job.cancelled = true;
          job.kill();
          await job.done;
        }),
      );
    },
  };
}
