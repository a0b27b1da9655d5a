// The experiment queue: persistent (the store is the queue), bounded concurrency, cancellation, restart recovery.
// This facade wires the parts: dispatch.ts (what starts when), execute-experiment.ts (one experiment's life),
// experiment-state.ts (its state transitions) and recovery.ts (what a restart does with unfinished work).
import { EventEmitter } from 'node:events';

import { errorMessage, ResearchError } from '../domain/errors.js';
import type { Experiment } from '../domain/records.js';
import { isEnded } from '../domain/states.js';
import { createHistoryCheck } from '../reward/history-check.js';
import type { SchedulerContext, SchedulerDeps } from './context.js';
import { createDispatcher } from './dispatch.js';
import { cancelQueued } from './experiment-state.js';
import { recover } from './recovery.js';

export type { SchedulerDeps } from './context.js';

export interface Scheduler {
  /**
   * Settles what a previous daemon left unfinished (interrupted searches, experiments it was running, leftover
   * jobs), then starts dispatching.
   */
  start(): Promise<void>;
  /** Call after putting a queued experiment in the store. */
  wake(): void;
  cancel(experimentId: string): Promise<Experiment>;
  /** Resolves with the experiment once it has ended, or as it is when `timeoutMs` passes or `signal` aborts. */
  waitFor(experimentId: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<Experiment>;
  onUpdate(listener: (experiment: Experiment) => void): () => void;
  /** Experiments that can run at once (GPU slots, or the CPU concurrency when larger): a search keeps them busy. */
  readonly slots: number;
  /** Stops dispatching; cancels running work and waits for it. */
  close(): Promise<void>;
}

const notFound = (experimentId: string): ResearchError =>
  new ResearchError('not_found', `no experiment ${experimentId}; list experiments to find its id`);

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const history = createHistoryCheck(deps.store.experiments, deps.integrity, deps.store.implementations);
  const save = async (experiment: Experiment): Promise<Experiment> => {
    experiment.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(experiment);
    await deps.store.experiments.put(snapshot);
    history.record(snapshot);
    events.emit('update', snapshot);
    return experiment;
  };
  const context: SchedulerContext = {
    deps,
    save,
    saveInBackground(experiment) {
      save(experiment).catch((error: unknown) =>
        deps.log.error('could not record a job handle', { id: experiment.id, error: errorMessage(error) }),
      );
    },
    history,
  };
  const dispatcher = createDispatcher(context);
  let starting = false;

  return {
    async start() {
      if (starting) return;
      starting = true;
      // Recovery comes first: nothing new is dispatched until every interrupted experiment has been re-attached
      // (its devices claimed) or re-queued, and leftovers have been reaped.
      for (const { experiment, resolved, resume } of await recover(context)) {
        deps.log.info('re-attached to a job a previous daemon started', {
          id: experiment.id,
          job: resume.handle.jobId,
        });
        dispatcher.launch(experiment, resolved, experiment.devices ?? [], resume);
      }
      dispatcher.start();
    },
    wake() {
      void dispatcher.pump();
    },
    async cancel(experimentId) {
      const experiment = await deps.store.experiments.get(experimentId);
      if (!experiment) throw notFound(experimentId);
      if (dispatcher.isRunning(experimentId) || experiment.state === 'queued') dispatcher.markCancelled(experimentId);
      if (await dispatcher.stop(experimentId)) return (await deps.store.experiments.get(experimentId)) as Experiment;
      if (experiment.state === 'queued') {
        cancelQueued(experiment);
        return save(experiment);
      }
      return experiment;
    },
    async waitFor(experimentId, options = {}) {
      const current = await deps.store.experiments.get(experimentId);
      if (!current) throw notFound(experimentId);
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
    slots: Math.max(deps.gpus.ids.length, deps.concurrency),
    close: () => dispatcher.close(),
  };
}
