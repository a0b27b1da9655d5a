// What the parts of the scheduler share: its dependencies, the one way they record an experiment, environment lookup.
import type { PersistedJob } from '../domain/job-handle.js';
import type { Experiment } from '../domain/records.js';
import type { Environment, EnvironmentRegistry } from '../environments/registry.js';
import type { Executor } from '../executors/executor.js';
import type { HistoryCheck } from '../reward/history-check.js';
import type { LearnedRangeOptions } from '../reward/learned-range.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';
import type { GpuPool } from './gpu-pool.js';

export interface SchedulerDeps {
  store: Store;
  executor: Executor;
  environments: EnvironmentRegistry;
  log: Logger;
  /** Folder that holds each experiment's run folders (`<runsDir>/<experiment>/<run>`). */
  runsDir: string;
  /** Root of the environments' data folders (`<dataDir>/<environment name>`). */
  dataDir: string;
  /** groundwork's data directory: implementations' changed files are read from its artifacts. */
  home: string;
  /** Most experiments without devices running at once (GPU experiments are bounded by `gpus`). */
  concurrency: number;
  /** GPU ids to hand out (empty: CPU only). Ignored when the executor's cluster allocates devices itself. */
  gpus: GpuPool;
  /** How far a result may leap past the history of its environment and profile (see reward/learned-range.ts). */
  integrity: LearnedRangeOptions;
  /** Runs the environment's smoke profile before the real runs of an experiment. */
  preflightSmoke: boolean;
  keepWorkspaces: boolean;
  baseEnv: Record<string, string>;
  resolvePython(environment: Environment): Promise<string>;
}

/** The scheduler's dependencies plus what its parts share at run time. */
export interface SchedulerContext {
  deps: SchedulerDeps;
  /** Records the experiment (stamping `updatedAt`) and tells every listener; resolves once it is durable. */
  save(experiment: Experiment): Promise<Experiment>;
  /** `save` without waiting, logging a failure (for job handles recorded while a run goes on). */
  saveInBackground(experiment: Experiment): void;
  /** Earlier results of each environment and profile, for the learned plausible range. */
  history: HistoryCheck;
}

/**
 * An experiment's environment, read once when it is dispatched so every step of the experiment sees the same
 * manifest, or why it could not be read (the experiment then fails with that reason).
 */
export type ResolvedEnvironment = { environment: Environment } | { error: unknown };

export async function resolveEnvironment(
  environments: EnvironmentRegistry,
  name: string,
): Promise<ResolvedEnvironment> {
  return environments.get(name).then(
    (environment) => ({ environment }),
    (error: unknown) => ({ error }),
  );
}

/** What the dispatcher hands over with an experiment, and how it follows it. */
export interface Dispatched {
  experiment: Experiment;
  /** Resolved once at dispatch: every step of the experiment runs under this manifest. */
  resolved: ResolvedEnvironment;
  devices: string[];
  /** The job of a run a previous daemon started, to carry on with instead of starting that run again. */
  resume?: PersistedJob;
  /** Aborted to stop the experiment (a user's cancel, or a shutdown whose jobs cannot outlive this daemon). */
  signal: AbortSignal;
  /** Aborted when this daemon shuts down leaving its jobs for the next daemon to re-attach to. */
  detach: AbortSignal;
  /** Frees the devices as soon as the last job is done, before the final bookkeeping. */
  releaseDevices(): void;
  /** The store refused to record the start: the dispatcher must not pick the experiment again. */
  unstartable(): void;
  /** True while this daemon is shutting down. */
  closing(): boolean;
  /** True when a user cancelled the experiment. */
  cancelledByUser(): boolean;
}
