// The Executor seam: run one command to completion somewhere (a child process, a container, a cluster job).
import type { RunHandle } from '../domain/job-handle.js';
import type { Resources } from '../environments/manifest.js';

/** One command to run. The executor adds nothing to `env` but the variables that name `devices`. */
export interface JobSpec {
  /** Unique per job, e.g. `exp_…-s0-train`. */
  jobId: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr together go here. */
  logPath: string;
  timeLimitSec: number;
  resources: Resources;
  /** Paths the job may write (container executors mount only these read-write). */
  writable: string[];
  /** Paths the job may only read. */
  readOnly: string[];
  /**
   * GPU device ids the scheduler allocated to this job (e.g. `["2","3"]`); empty for CPU jobs. The executor
   * exposes exactly these devices to the job (CUDA_VISIBLE_DEVICES, Docker DeviceRequests). Executors whose
   * cluster allocates devices itself (`managesDevices`) get `[]` and request `resources.gpus` instead.
   */
  devices: string[];
  /**
   * Paths the job must not see even though they exist on this machine (the environment's own harness and held-out
   * data, which training could otherwise open by absolute path). Container executors show only `writable` and
   * `readOnly` anyway; the local executor masks these in the job's mount namespace when it has one.
   */
  hidden?: string[];
  /**
   * A folder shared by many jobs (all run folders) of which this job may see only `keep` (its own run folder), so it
   * cannot read another experiment's checkpoint or harness copy. Container executors mount only the job's own paths
   * anyway; the local executor replaces `root` with an empty folder holding just `keep` in the job's mount namespace.
   */
  private?: { root: string; keep: string };
  /** Container image the environment asks for (container executors; others ignore it). */
  image?: string;
  /**
   * True when the job runs only the environment's own, unedited code (a baseline): the local executor runs such a
   * job without its sandbox where bubblewrap cannot run, and refuses every other job there.
   */
  trusted?: boolean;
}

/** Plain JSON, persisted by the scheduler so a restarted daemon can find the job again: one type per executor. */
export type { RunHandle };

export interface JobExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** True when the executor knows the job was killed for memory (container OOM, kernel OOM signal). */
  oomKilled: boolean;
  durationMs: number;
}

export type JobStatus = { state: 'running' } | ({ state: 'exited' } & JobExit) | { state: 'lost'; reason: string };

/** `Started`: the handle type `start` returns (each executor's own); the other methods take any persisted handle. */
export interface Executor<Started extends RunHandle = RunHandle> {
  readonly kind: string;
  /**
   * True when `wait`, `poll` and `cancel` work on handles an earlier process created (a container, a cluster job):
   * a restarted daemon re-attaches to such jobs instead of running them again.
   */
  readonly reattachable: boolean;
  /** True when the cluster behind the executor allocates GPUs itself (Slurm): the scheduler hands out no devices. */
  readonly managesDevices: boolean;
  /**
   * True when `oomKilled` is reliable (a container's or cluster job's OOM record). Otherwise a job killed with
   * SIGKILL is taken for an out-of-memory kill, the usual cause on a plain machine.
   */
  readonly detectsOom: boolean;
  /** The local executor's sandbox: `off` when its jobs run without one (reports then say so). */
  readonly sandbox?: 'bwrap' | 'off';
  /**
   * Removes what earlier processes left behind (labelled containers, stray jobs) whose job id `keep` rejects.
   * Returns the job ids it removed. Optional: executors that leave nothing behind do not need it.
   */
  reap?(keep: (jobId: string) => boolean): Promise<string[]>;
  /** Starts the job and returns at once. Throws `executor` errors for infrastructure faults. */
  start(spec: JobSpec): Promise<Started>;
  /** Resolves when the job has ended (time limit enforced by the executor). */
  wait(handle: RunHandle): Promise<JobExit>;
  poll(handle: RunHandle): Promise<JobStatus>;
  /** Stops the job and everything it started; idempotent. */
  cancel(handle: RunHandle): Promise<void>;
  close(): Promise<void>;
}
