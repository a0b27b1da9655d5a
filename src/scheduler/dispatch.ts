// The queue's dispatch: which queued experiment starts next, on which devices, within the concurrency and GPU slots.
import { errorMessage } from '../domain/errors.js';
import type { PersistedJob } from '../domain/job-handle.js';
import type { Experiment } from '../domain/records.js';
import { runSettings } from '../environments/manifest.js';
import { resolveEnvironment, type ResolvedEnvironment, type SchedulerContext } from './context.js';
import { executeExperiment } from './execute-experiment.js';
import { finish } from './experiment-state.js';

export interface Dispatcher {
  /** Starts dispatching (after recovery) and looks at the queue. */
  start(): void;
  /** Looks at the queue and starts what fits; call when work arrives or a slot frees. */
  pump(): Promise<void>;
  /** Starts `experiment` now on `devices` (already taken from the pool), carrying on with `resume` if given. */
  launch(experiment: Experiment, resolved: ResolvedEnvironment, devices: string[], resume?: PersistedJob): void;
  isRunning(experimentId: string): boolean;
  /** Never dispatch this experiment again (a user cancelled it). */
  markCancelled(experimentId: string): void;
  /** Stops a running experiment and waits for its end; false when it was not running. */
  stop(experimentId: string): Promise<boolean>;
  /** Stops dispatching; running experiments are detached (re-attachable executors) or stopped, and awaited. */
  close(): Promise<void>;
}

interface Live {
  controller: AbortController;
  detach: AbortController;
  done: Promise<void>;
  devices: string[];
}

interface Choice {
  experiment: Experiment;
  resolved: ResolvedEnvironment;
  devices: string[];
}

export function createDispatcher(context: SchedulerContext): Dispatcher {
  const { deps, save } = context;
  const running = new Map<string, Live>();
  const withoutDevices = (): number => [...running.values()].filter((live) => live.devices.length === 0).length;
  let started = false;
  let closed = false;
  let pumping = false;
  /** Set when a slot frees or work arrives while a pump is choosing: that pump looks again before it stops. */
  let pumpAgain = false;
  /** Cancelled by a user: never dispatch, even if the store still says queued for a moment. */
  const cancelled = new Set<string>();
  /** Could not be recorded as started (the store refused the write): not retried in a loop. */
  const unstartable = new Set<string>();
  const skip = (id: string): boolean => running.has(id) || cancelled.has(id) || unstartable.has(id);

  /** GPUs an experiment needs under its profile (0 when the cluster behind the executor allocates them). */
  const gpusNeeded = (experiment: Experiment, resolved: ResolvedEnvironment): number => {
    if (deps.executor.managesDevices || 'error' in resolved) return 0;
    return runSettings(resolved.environment.manifest, experiment.profile).resources.gpus;
  };

  /**
   * The next experiment to start and its devices. Queue order, except that a GPU experiment waiting for devices
   * keeps its place: later GPU experiments do not overtake it (so one needing 4 GPUs is never starved by a stream of
   * 1-GPU ones), while CPU experiments still start.
   */
  const choose = async (): Promise<Choice | undefined> => {
    const queued = await deps.store.experiments.list((e) => e.state === 'queued' && !skip(e.id));
    let gpuQueueBlocked = false;
    const cpuSlotFree = withoutDevices() < deps.concurrency;
    const environments = new Map<string, ResolvedEnvironment>(); // one manifest read per environment
    for (const experiment of queued) {
      const resolved =
        environments.get(experiment.environment) ??
        (await resolveEnvironment(deps.environments, experiment.environment));
      environments.set(experiment.environment, resolved);
      const needed = gpusNeeded(experiment, resolved);
      if (needed === 0 && !cpuSlotFree) continue;
      if (needed > deps.gpus.ids.length) {
        await refuse(experiment, needed);
        continue;
      }
      if (needed > 0 && gpuQueueBlocked) continue;
      const devices = deps.gpus.tryAcquire(needed);
      if (devices) return { experiment, resolved, devices };
      gpuQueueBlocked = true;
    }
    return undefined;
  };

  const refuse = async (experiment: Experiment, needed: number): Promise<void> => {
    const have = deps.gpus.ids.length;
    finish(experiment, {
      category: 'infrastructure',
      message:
        `profile ${experiment.profile} of ${experiment.environment} needs ${needed} GPU${needed === 1 ? '' : 's'} but ` +
        `groundwork has ${have === 0 ? 'none' : `${have} (${deps.gpus.ids.join(',')})`}; set scheduler.gpus, run it ` +
        'where there are enough GPUs, or choose a profile that needs fewer (such as smoke)',
      logTail: '',
    });
    await save(experiment);
  };

  const launch: Dispatcher['launch'] = (experiment, resolved, devices, resume) => {
    const controller = new AbortController();
    const detach = new AbortController();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      deps.gpus.release(devices);
      void pump();
    };
    const done = executeExperiment(context, {
      experiment,
      resolved,
      devices,
      resume,
      signal: controller.signal,
      detach: detach.signal,
      releaseDevices: release,
      unstartable: () => unstartable.add(experiment.id),
      closing: () => closed,
      cancelledByUser: () => cancelled.has(experiment.id),
    })
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
          else launch(next.experiment, next.resolved, next.devices);
        }
      } while (pumpAgain && !closed);
    } finally {
      pumping = false;
    }
  };

  return {
    start() {
      started = true;
      void pump();
    },
    pump,
    launch,
    isRunning: (experimentId) => running.has(experimentId),
    markCancelled: (experimentId) => void cancelled.add(experimentId),
    async stop(experimentId) {
      const live = running.get(experimentId);
      if (!live) return false;
      live.controller.abort();
      await live.done;
      return true;
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
