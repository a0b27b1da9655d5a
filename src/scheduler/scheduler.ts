// The experiment queue: persistent (the store is the queue), bounded concurrency, cancellation, restart recovery.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

import { errorMessage, ResearchError } from '../domain/errors.js';
import type { Experiment, Failure, Run } from '../domain/records.js';
import type { Environment, EnvironmentRegistry } from '../environments/registry.js';
import type { ChangedFile } from '../environments/workspace.js';
import type { Executor } from '../executors/executor.js';
import { summarizeReward } from '../reward/compute-reward.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';
import { executeRun, type RunOutcome } from './run-pipeline.js';

export interface SchedulerDeps {
  store: Store;
  executor: Executor;
  environments: EnvironmentRegistry;
  log: Logger;
  home: string;
  /** Root of the environments' data folders (`<dataDir>/<environment name>`). */
  dataDir: string;
  concurrency: number;
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
export const isEnded = (experiment: Experiment): boolean => ENDED.has(experiment.state);

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
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

  const pump = async (): Promise<void> => {
    if (pumping || closed || !started) return;
    pumping = true;
    try {
      while (!closed && running.size < deps.concurrency) {
        const next = (await deps.store.experiments.list((e) => e.state === 'queued' && !skip(e.id)))[0];
        if (!next) break;
        const controller = new AbortController();
        const done = runOne(next, controller.signal)
          .catch((error: unknown) =>
            deps.log.error('experiment crashed the scheduler', { id: next.id, error: errorMessage(error) }),
          )
          .finally(() => {
            running.delete(next.id);
            void pump();
          });
        running.set(next.id, { controller, done });
      }
    } finally {
      pumping = false;
    }
  };

  const saveInBackground = (experiment: Experiment): void => {
    save(experiment).catch((error: unknown) =>
      deps.log.error('could not record a job handle', { id: experiment.id, error: errorMessage(error) }),
    );
  };

  const runOne = async (experiment: Experiment, signal: AbortSignal): Promise<void> => {
    experiment.state = 'running';
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
      ): Promise<RunOutcome> =>
        executeRun({
          jobId: `${experiment.id}-${label}`,
          environment: environment as Environment,
          profile,
          seed,
          changes,
          python,
          runDir: join(deps.home, 'runs', experiment.id, label),
          executor: deps.executor,
          signal,
          baseEnv: deps.baseEnv,
          keepWorkspace: deps.keepWorkspaces,
          devices: [],
          dataDir: join(deps.dataDir, experiment.environment),
          onStarted,
        });
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
        if (record.state !== 'queued') continue; // already ran before a restart
        record.state = 'running';
        record.startedAt = new Date().toISOString();
        await save(experiment);
        const outcome = await run(`seed-${record.seed}`, record.seed, experiment.profile, (handle) => {
          record.handle = handle;
          saveInBackground(experiment);
        });
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
      if (started) return;
      started = true;
      // A previous daemon died with these running: stop what is left of them and run them again, saying so.
      for (const experiment of await deps.store.experiments.list((e) => e.state === 'running')) {
        const handles = [experiment.preflight?.handle, ...experiment.runs.map((record) => record.handle)];
        for (const handle of handles) {
          if (handle) await deps.executor.cancel(handle as never).catch(() => undefined);
        }
        requeue(experiment);
        deps.log.warn('re-queued an experiment interrupted by a restart', { id: experiment.id });
        await save(experiment);
      }
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
      for (const live of running.values()) live.controller.abort();
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
