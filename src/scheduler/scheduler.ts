// The experiment queue: persistent (the store is the queue), bounded concurrency, cancellation, restart recovery.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

import { errorMessage, ResearchError } from '../domain/errors.js';
import type { Experiment, Failure, Run } from '../domain/records.js';
import { profileResources } from '../environments/manifest.js';
import type { Environment, EnvironmentRegistry } from '../environments/registry.js';
import type { ChangedFile } from '../environments/workspace.js';
import type { Executor } from '../executors/executor.js';
import { summarizeReward } from '../reward/compute-reward.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';
import type { GpuPool } from './gpu-pool.js';
import { executeRun, type ResumePoint, resumePoint, type RunOutcome } from './run-pipeline.js';

export interface SchedulerDeps {
  store: Store;
  executor: Executor;
  environments: EnvironmentRegistry;
  log: Logger;
  /** Folder that holds each experiment's run folders (`<runsDir>/<experiment>/<run>`). */
  runsDir: string;
  /** Root of the environments' data folders (`<dataDir>/<environment name>`). */
  dataDir: string;
  /** Most experiments without devices running at once (GPU experiments are bounded by `gpus`). */
  concurrency: number;
  /** GPU ids to hand out (empty: CPU only). Ignored when the executor's cluster allocates devices itself. */
  gpus: GpuPool;
  /** Says why a metric is implausible for an environment and profile given its history (see plausible-range.ts). */
  checkPlausible?: (experiment: Experiment, metric: number) => Promise<string | undefined>;
  /** Runs the environment's smoke profile before the real runs of an experiment. */
  preflightSmoke: boolean;
  keepWorkspaces: boolean;
  baseEnv: Record<string, string>;
  resolvePython(environment: Environment): Promise<string>;
  loadChanges(implementationId: string): Promise<ChangedFile[]>;
}

export interface Scheduler {
  /** Recovers experiments a previous daemon left running, then starts dispatching. */
  start(): Promise<void>;
  /** Call after putting a queued experiment in the store. */
  wake(): void;
  cancel(experimentId: string): Promise<Experiment>;
  /** Resolves with the experiment once it has ended, or as it is when `timeoutMs` passes or `signal` aborts. */
  waitFor(experimentId: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<Experiment>;
  onUpdate(listener: (experiment: Experiment) => void): () => void;
  /** Stops dispatching; cancels running work and waits for it. */
  close(): Promise<void>;
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);
/** Attempts per run when the executor fails it (a lost cluster job, an engine that went away). */
const MAX_ATTEMPTS = 2;
export const isEnded = (experiment: Experiment): boolean => ENDED.has(experiment.state);

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const running = new Map<
    string,
    { controller: AbortController; detach: AbortController; done: Promise<void>; devices: string[] }
  >();
  const withoutDevices = (): number => [...running.values()].filter((live) => live.devices.length === 0).length;
  let starting = false;
  let started = false;
  let closed = false;
  let pumping = false;
  /** Cancelled by a user: never dispatch, even if the store still says queued for a moment. */
  const cancelled = new Set<string>();
  /** Could not be recorded as started (the store refused the write): not retried in a loop. */
  const unstartable = new Set<string>();
  const skip = (id: string): boolean => running.has(id) || cancelled.has(id) || unstartable.has(id);

  const save = async (experiment: Experiment): Promise<Experiment> => {
    experiment.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(experiment);
    await deps.store.experiments.put(snapshot);
    events.emit('update', snapshot);
    return experiment;
  };

  /** GPUs an experiment needs under its profile (0 when the cluster behind the executor allocates them). */
  const gpusNeeded = async (experiment: Experiment): Promise<number> => {
    if (deps.executor.managesDevices) return 0;
    const environment = await deps.environments.get(experiment.environment).catch(() => undefined);
    return environment ? profileResources(environment.manifest, experiment.profile).gpus : 0;
  };

  /**
   * The next experiment to start and its devices. Queue order, except that a GPU experiment waiting for devices
   * keeps its place: later GPU experiments do not overtake it (so one needing 4 GPUs is never starved by a stream of
   * 1-GPU ones), while CPU experiments still start.
   */
  const choose = async (): Promise<{ experiment: Experiment; devices: string[] } | undefined> => {
    const queued = await deps.store.experiments.list((e) => e.state === 'queued' && !skip(e.id));
    let gpuQueueBlocked = false;
    const cpuSlotFree = withoutDevices() < deps.concurrency;
    const needs = new Map<string, number>(); // one manifest read per environment and profile
    for (const experiment of queued) {
      const key = `${experiment.environment}\u0000${experiment.profile}`;
      const needed = needs.get(key) ?? (await gpusNeeded(experiment));
      needs.set(key, needed);
      if (needed === 0 && !cpuSlotFree) continue;
      if (needed > deps.gpus.ids.length) {
        await refuse(experiment, needed);
        continue;
      }
      if (needed > 0 && gpuQueueBlocked) continue;
      const devices = deps.gpus.tryAcquire(needed);
      if (devices) return { experiment, devices };
      gpuQueueBlocked = true;
    }
    return undefined;
  };

  const refuse = async (experiment: Experiment, needed: number): Promise<void> => {
    const have = deps.gpus.ids.length;
    finishExperiment(experiment, {
      category: 'infrastructure',
      message:
        `profile ${experiment.profile} of ${experiment.environment} needs ${needed} GPU${needed === 1 ? '' : 's'} but ` +
        `groundwork has ${have === 0 ? 'none' : `${have} (${deps.gpus.ids.join(',')})`}; set scheduler.gpus, run it ` +
        'where there are enough GPUs, or choose a profile that needs fewer (such as smoke)',
      logTail: '',
    });
    await save(experiment);
  };

  const launch = (experiment: Experiment, devices: string[], resume?: ResumePoint): void => {
    const controller = new AbortController();
    const detach = new AbortController();
    let released = false;
    /** Frees the devices as soon as the last job is done, before the experiment's final bookkeeping. */
    const release = (): void => {
      if (released) return;
      released = true;
      deps.gpus.release(devices);
      void pump();
    };
    const done = runOne(experiment, devices, { signal: controller.signal, detach: detach.signal }, release, resume)
      .catch((error: unknown) =>
        deps.log.error('experiment crashed the scheduler', { id: experiment.id, error: errorMessage(error) }),
      )
      .finally(() => {
        running.delete(experiment.id);
        release();
        void pump();
      });
    running.set(experiment.id, { controller, detach, done, devices });
  };

  /** Set when a slot frees or work arrives while a pump is choosing: that pump looks again before it stops. */
  let pumpAgain = false;
  const pump = async (): Promise<void> => {
    if (closed || !started) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        for (let next = await choose(); next && !closed; next = await choose()) {
          // Cancelled while it was being chosen: give its devices back instead of starting it.
          if (cancelled.has(next.experiment.id)) deps.gpus.release(next.devices);
          else launch(next.experiment, next.devices);
        }
      } while (pumpAgain && !closed);
    } finally {
      pumping = false;
    }
  };

  const saveInBackground = (experiment: Experiment): void => {
    save(experiment).catch((error: unknown) =>
      deps.log.error('could not record a job handle', { id: experiment.id, error: errorMessage(error) }),
    );
  };

  const runOne = async (
    experiment: Experiment,
    devices: string[],
    { signal, detach }: { signal: AbortSignal; detach: AbortSignal },
    releaseDevices: () => void,
    resume?: ResumePoint,
  ): Promise<void> => {
    experiment.state = 'running';
    if (devices.length > 0) experiment.devices = devices;
    else delete experiment.devices;
    try {
      await save(experiment);
    } catch (error) {
      unstartable.add(experiment.id);
      throw error;
    }
    deps.log.info('experiment started', { id: experiment.id, environment: experiment.environment });
    let failure: Failure | undefined;
    let environment: Environment | undefined;
    try {
      environment = await deps.environments.get(experiment.environment);
      const python = await deps.resolvePython(environment);
      const changes = await deps.loadChanges(experiment.implementationId);
      const run = async (
        label: string,
        seed: number,
        profile: string,
        onStarted?: (handle: Record<string, unknown>) => void,
        resumeFrom?: ResumePoint,
      ): Promise<RunOutcome> => {
        const gpus = profileResources((environment as Environment).manifest, profile).gpus;
        return executeRun({
          jobId: `${experiment.id}-${label}`,
          environment: environment as Environment,
          profile,
          seed,
          changes,
          python,
          runDir: join(deps.runsDir, experiment.id, label),
          runsRoot: deps.runsDir,
          executor: deps.executor,
          signal,
          detach,
          baseEnv: deps.baseEnv,
          keepWorkspace: deps.keepWorkspaces,
          devices: devices.slice(0, gpus),
          dataDir: join(deps.dataDir, experiment.environment),
          onStarted,
          resume: resumeFrom,
          checkPlausible: deps.checkPlausible
            ? // Judged against the history of the profile this run used (the smoke pre-flight against smoke runs).
              (metric) =>
                (deps.checkPlausible as NonNullable<SchedulerDeps['checkPlausible']>)(
                  { ...experiment, profile },
                  metric,
                )
            : undefined,
        });
      };
      const smoke =
        deps.preflightSmoke && experiment.profile !== 'smoke' && environment.manifest.profiles.smoke !== undefined;
      if (smoke && !experiment.preflight?.passed) {
        const outcome = await run('preflight', 0, 'smoke', (handle) => {
          experiment.preflight = { passed: false, handle };
          saveInBackground(experiment);
        });
        experiment.preflight = { passed: outcome.ok };
        if (!outcome.ok) {
          failure =
            outcome.failure.category === 'cancelled'
              ? outcome.failure
              : {
                  ...outcome.failure,
                  category: 'preflight_failed',
                  message: `smoke pre-flight: ${outcome.failure.category}: ${outcome.failure.message}`,
                };
        }
      }
      for (const record of experiment.runs) {
        if (failure || signal.aborted) break;
        // A run a previous daemon started is carried on from its recorded step; one that ended is not run again.
        const resumeFrom = resume && record.state === 'running' ? resume : undefined;
        if (record.state !== 'queued' && !resumeFrom) continue;
        if (!resumeFrom) {
          record.state = 'running';
          record.startedAt = new Date().toISOString();
          await save(experiment);
        }
        const label = `seed-${record.seed}`;
        const onStarted = (handle: Record<string, unknown>): void => {
          record.handle = handle;
          saveInBackground(experiment);
        };
        let outcome: RunOutcome | undefined;
        for (let resumeWith = resumeFrom; outcome === undefined; resumeWith = undefined) {
          try {
            outcome = await run(label, record.seed, experiment.profile, onStarted, resumeWith);
          } catch (error) {
            // The executor lost the job or could not reach its engine: run it again once, counting the attempt.
            const retryable = ResearchError.is(error, 'executor') && error.retryable;
            if (!retryable || signal.aborted || record.attempt >= MAX_ATTEMPTS) throw error;
            if (record.handle) await deps.executor.cancel(record.handle as never).catch(() => undefined);
            deps.log.warn('the executor failed a run; running it again', {
              id: experiment.id,
              seed: record.seed,
              attempt: record.attempt + 1,
              error: errorMessage(error),
            });
            record.attempt += 1;
            delete record.handle;
            await save(experiment);
          }
        }
        applyOutcome(record, outcome);
        await save(experiment);
        if (!outcome.ok) failure = outcome.failure;
      }
    } catch (error) {
      const message = errorMessage(error);
      failure = {
        category: ResearchError.is(error, 'cancelled') ? 'cancelled' : 'infrastructure',
        message: ResearchError.is(error) ? message : `infrastructure error: ${message}`,
        logTail: '',
      };
    }
    releaseDevices();
    if (detach.aborted) {
      // Shutting down with a re-attachable executor: the job runs on, and the next daemon re-attaches to it.
      deps.log.info('left running for the next daemon to re-attach', { id: experiment.id });
      return;
    }
    if (signal.aborted && closed && !cancelled.has(experiment.id)) {
      // Stopped because this process is shutting down, not by a user: leave it for the next start.
      requeue(experiment);
      await save(experiment);
      deps.log.info('experiment interrupted by shutdown; it will run again on the next start', { id: experiment.id });
      return;
    }
    if (signal.aborted && (!failure || failure.category !== 'cancelled')) {
      failure = { category: 'cancelled', message: 'cancelled', logTail: failure?.logTail ?? '' };
    }
    finishExperiment(experiment, failure, environment);
    await save(experiment);
    deps.log.info('experiment ended', {
      id: experiment.id,
      state: experiment.state,
      metric: experiment.result?.metric.value,
    });
  };

  const finishExperiment = (experiment: Experiment, failure: Failure | undefined, environment?: Environment): void => {
    for (const record of experiment.runs) {
      if (record.state === 'queued' || record.state === 'running') {
        record.state = failure?.category === 'cancelled' ? 'cancelled' : 'failed';
        record.failure ??= failure ?? { category: 'infrastructure', message: 'run did not finish', logTail: '' };
        record.endedAt = new Date().toISOString();
      }
    }
    const values = experiment.runs.filter((r) => r.state === 'succeeded').map((r) => r.metric as number);
    if (environment && values.length > 0) {
      // A baseline measured under another profile (e.g. default vs smoke) is not comparable.
      const baseline = environment.manifest.baseline;
      const comparable = baseline && baseline.profile === experiment.profile ? baseline : undefined;
      experiment.result = summarizeReward(values, environment.manifest.metric, comparable);
    }
    if (failure) {
      experiment.state = failure.category === 'cancelled' ? 'cancelled' : 'failed';
      experiment.failure = failure;
    } else experiment.state = 'succeeded';
  };

  const handlesOf = (experiment: Experiment): Record<string, unknown>[] =>
    [experiment.preflight?.handle, ...experiment.runs.map((record) => record.handle)].filter(
      (handle): handle is Record<string, unknown> => handle !== undefined,
    );

  /** Where to carry on with an experiment a previous daemon was running, when its executor still has the job. */
  const reattachable = async (experiment: Experiment): Promise<ResumePoint | undefined> => {
    if (!deps.executor.reattachable) return undefined;
    if (experiment.preflight?.handle && !experiment.preflight.passed) return undefined;
    const inFlight = experiment.runs.filter((record) => record.state === 'running');
    if (inFlight.length !== 1) return undefined;
    const resume = resumePoint(inFlight[0]?.handle);
    if (!resume) return undefined;
    // An engine that cannot be reached now is not a lost job: re-attach, and let `wait` ride out the outage.
    const status = await deps.executor.poll(resume.handle).catch(() => undefined);
    return status?.state === 'lost' ? undefined : resume;
  };

  /** Back to the queue after an interruption: runs that did not finish run again, with the attempt counted. */
  const requeue = (experiment: Experiment): void => {
    for (const record of experiment.runs) {
      if (record.state === 'running' || record.state === 'cancelled') {
        record.state = 'queued';
        record.attempt += 1;
        delete record.handle;
        delete record.failure;
        delete record.endedAt;
      }
    }
    if (experiment.preflight && !experiment.preflight.passed) delete experiment.preflight;
    delete experiment.failure;
    experiment.state = 'queued';
  };

  return {
    async start() {
      if (starting) return;
      starting = true;
      // Recovery comes first: nothing new is dispatched until every interrupted experiment has been re-attached
      // (its devices claimed) or re-queued, and leftovers have been reaped.
      const interrupted = await deps.store.experiments.list((e) => e.state === 'running');
      const resumes: { experiment: Experiment; resume: ResumePoint }[] = [];
      for (const experiment of interrupted) {
        const resume = await reattachable(experiment);
        if (resume) {
          // The job outlived the previous daemon (a container, a cluster job): carry on waiting for it.
          resumes.push({ experiment, resume });
          deps.gpus.claim(experiment.devices ?? []);
          continue;
        }
        // Nothing to re-attach to: stop what is left of it and run it again, counting the attempt.
        for (const handle of handlesOf(experiment)) await deps.executor.cancel(handle as never).catch(() => undefined);
        requeue(experiment);
        deps.log.warn('re-queued an experiment interrupted by a restart; its unfinished runs start again', {
          id: experiment.id,
        });
        await save(experiment);
      }
      const resumed = new Set(resumes.map(({ resume }) => resume.handle.jobId));
      if (deps.executor.reap) {
        const reaped = await deps.executor
          .reap((jobId) => resumed.has(jobId))
          .catch((error: unknown) => {
            deps.log.warn('could not clean up jobs left by a previous daemon', { error: errorMessage(error) });
            return [];
          });
        if (reaped.length > 0) deps.log.info('removed jobs left by a previous daemon', { jobs: reaped });
      }
      for (const { experiment, resume } of resumes) {
        deps.log.info('re-attached to a job a previous daemon started', {
          id: experiment.id,
          job: resume.handle.jobId,
        });
        launch(experiment, experiment.devices ?? [], resume);
      }
      started = true;
      void pump();
    },
    wake() {
      void pump();
    },
    async cancel(experimentId) {
      const experiment = await deps.store.experiments.get(experimentId);
      if (!experiment)
        throw new ResearchError('not_found', `no experiment ${experimentId}; list experiments to find its id`);
      const live = running.get(experimentId);
      if (live || experiment.state === 'queued') cancelled.add(experimentId);
      if (live) {
        live.controller.abort();
        await live.done;
        return (await deps.store.experiments.get(experimentId)) as Experiment;
      }
      if (experiment.state === 'queued') {
        finishExperiment(experiment, { category: 'cancelled', message: 'cancelled before it started', logTail: '' });
        return save(experiment);
      }
      return experiment;
    },
    async waitFor(experimentId, options = {}) {
      const current = await deps.store.experiments.get(experimentId);
      if (!current)
        throw new ResearchError('not_found', `no experiment ${experimentId}; list experiments to find its id`);
      if (isEnded(current) || options.signal?.aborted) return current;
      return new Promise<Experiment>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const stop = (experiment: Experiment): void => {
          events.off('update', listener);
          options.signal?.removeEventListener('abort', onAbort);
          if (timer) clearTimeout(timer);
          resolve(experiment);
        };
        const listener = (experiment: Experiment): void => {
          if (experiment.id === experimentId && isEnded(experiment)) stop(structuredClone(experiment));
        };
        const onAbort = (): void => void deps.store.experiments.get(experimentId).then((e) => stop(e ?? current));
        events.on('update', listener);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        if (options.timeoutMs !== undefined) timer = setTimeout(onAbort, options.timeoutMs);
      });
    },
    onUpdate(listener) {
      events.on('update', listener);
      return () => events.off('update', listener);
    },
    async close() {
      closed = true;
      // Jobs a later daemon can re-attach to keep running; others are stopped and go back to the queue.
      for (const live of running.values()) {
        if (deps.executor.reattachable) live.detach.abort();
        else live.controller.abort();
      }
      await Promise.all([...running.values()].map((live) => live.done));
    },
  };
}

function applyOutcome(record: Run, outcome: RunOutcome): void {
  record.endedAt = new Date().toISOString();
  if (outcome.ok) {
    record.state = 'succeeded';
    record.metric = outcome.metric;
    record.metrics = outcome.metrics;
  } else {
    record.state = outcome.failure.category === 'cancelled' ? 'cancelled' : 'failed';
    record.failure = outcome.failure;
  }
}
