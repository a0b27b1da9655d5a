// Recurring searches: bree fires each schedule's ticks in a worker thread, which only posts a message; the main
// thread starts the search, so it stays the single owner of the store (ecosystem.md §4).
import Bree from 'bree';

import { errorMessage, ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { type Schedule, SCHEMA_VERSION, type Search } from '../domain/records.js';
import { isActive } from '../domain/states.js';
import type { ScheduleSearchInput, SearchRunner, SearchSchedules } from '../services/deps.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';

const CRON = /^[\d*/,\-?LW#A-Za-z]+(\s+[\d*/,\-?LW#A-Za-z]+){4,5}$/;

/** The job a bree worker runs: tell the main thread that the schedule is due, then exit. */
function tick(): void {
  // Runs inside a worker thread that bree starts from this function's source (CommonJS there).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('node:worker_threads').parentPort.postMessage('tick');
}

function jobOf(schedule: Pick<Schedule, 'id' | 'schedule'>): Record<string, unknown> {
  const timing = CRON.test(schedule.schedule.trim())
    ? { cron: schedule.schedule.trim() }
    : { interval: schedule.schedule.trim() };
  return { name: schedule.id, path: tick, timeout: false, ...timing };
}

/** The shortest gap between two ticks a schedule may have, unless config.confirm.minScheduleIntervalSec says less. */
export const MIN_SCHEDULE_INTERVAL_MS = 60_000;

/** Why a job bree parsed fires more often than `minMs` allows, or undefined when it does not. */
function firesTooOften(bree: Bree, name: string, minMs: number): string | undefined {
  const job = bree.config.jobs.find((candidate) => candidate.name === name) as { interval?: unknown } | undefined;
  const interval = job?.interval;
  if (typeof interval === 'number') return interval < minMs ? `repeats every ${interval} ms` : undefined;
  // A later.js schedule: several second values in any of its parts means ticks seconds apart.
  const parts = (interval as { schedules?: { s?: unknown[] }[] } | undefined)?.schedules ?? [];
  return minMs > 1000 && parts.some((part) => (part.s?.length ?? 0) > 1) ? 'fires several times a minute' : undefined;
}

export function createSearchSchedules(deps: {
  store: Store;
  runner: SearchRunner;
  log: Logger;
  /** Shortest gap between ticks (default MIN_SCHEDULE_INTERVAL_MS). */
  minIntervalMs?: number;
}): SearchSchedules {
  const minIntervalMs = deps.minIntervalMs ?? MIN_SCHEDULE_INTERVAL_MS;
  const log = deps.log.child('schedules');
  const bree = new Bree({
    root: false,
    logger: false,
    jobs: [],
    errorHandler: (error: unknown, meta: unknown) =>
      log.warn('schedule tick failed', { error: errorMessage(error), meta }),
    workerMessageHandler: ({ name }: { name: string }) => void onTick(name),
  });

  /** Cancelled in this process: checked synchronously, so a tick already in flight cannot start one more. */
  const cancelled = new Set<string>();

  const startSearch = async (schedule: Schedule): Promise<Search> => {
    const search = await deps.runner.start({
      environment: schedule.environment,
      strategy: schedule.strategy,
      options: schedule.options,
      profile: schedule.profile,
      seed: schedule.seed,
    });
    // Record it on the latest copy, so a cancel that landed meanwhile is not overwritten.
    const latest = (await deps.store.schedules.get(schedule.id)) ?? schedule;
    latest.searchIds.push(search.id);
    latest.lastTickAt = new Date().toISOString();
    latest.updatedAt = latest.lastTickAt;
    await deps.store.schedules.put(latest);
    Object.assign(schedule, latest);
    return search;
  };

  async function onTick(id: string): Promise<void> {
    try {
      const schedule = await deps.store.schedules.get(id);
      if (!schedule || schedule.state !== 'active') return;
      const last = schedule.searchIds.at(-1);
      const previous = last ? await deps.store.searches.get(last) : undefined;
      if (cancelled.has(id)) return;
      if (previous && isActive(previous)) {
        log.info('schedule due while its previous search still runs; skipped this tick', { id, search: last });
        return;
      }
      const search = await startSearch(schedule);
      log.info('scheduled search started', { id, search: search.id });
    } catch (error) {
      log.error('scheduled search could not start', { id, error: errorMessage(error) });
    }
  }

  const addJob = async (schedule: Pick<Schedule, 'id' | 'schedule'>): Promise<void> => {
    try {
      await bree.add(jobOf(schedule) as never);
    } catch (error) {
      throw new ResearchError(
        'bad_input',
        `schedule "${schedule.schedule}" is neither a cron expression (e.g. "0 3 * * *") nor an interval (e.g. "6h", "every 30 minutes"): ${errorMessage(error)}`,
      );
    }
    const tooOften = firesTooOften(bree, schedule.id, minIntervalMs);
    if (tooOften) {
      await bree.remove(schedule.id).catch(() => undefined);
      const most = minIntervalMs >= 60_000 ? 'once a minute' : `once every ${minIntervalMs / 1000} s`;
      throw new ResearchError(
        'bad_input',
        `schedule "${schedule.schedule}" ${tooOften}; a schedule may fire at most ${most} (e.g. "30m", "6h", "0 3 * * *")`,
      );
    }
    await bree.start(schedule.id);
  };

  return {
    async start() {
      for (const schedule of await deps.store.schedules.list((s) => s.state === 'active')) {
        await addJob(schedule).catch((error: unknown) =>
          log.error('could not restore a schedule', { id: schedule.id, error: errorMessage(error) }),
        );
      }
    },
    async create(input: ScheduleSearchInput) {
      const now = new Date().toISOString();
      const schedule: Schedule = {
        id: newId('sched'),
        schemaVersion: SCHEMA_VERSION,
        schedule: input.schedule,
        environment: input.environment,
        strategy: input.strategy ?? 'evolutionary',
        options: input.options ?? {},
        ...(input.profile !== undefined ? { profile: input.profile } : {}),
        ...(input.seed !== undefined ? { seed: input.seed } : {}),
        state: 'active',
        searchIds: [],
        createdAt: now,
        updatedAt: now,
      };
      await addJob(schedule); // refuses a bad schedule before anything is stored
      try {
        const search = await startSearch(schedule); // the first run starts now; ticks follow
        return { schedule: structuredClone(schedule), search };
      } catch (error) {
        await bree.remove(schedule.id).catch(() => undefined);
        throw error;
      }
    },
    async cancel(id) {
      const schedule = await deps.store.schedules.get(id);
      if (!schedule) throw new ResearchError('not_found', `no schedule ${id}; list_searches shows the schedules`);
      cancelled.add(id);
      if (schedule.state === 'active') {
        await bree.remove(id).catch(() => undefined);
        schedule.state = 'cancelled';
        schedule.updatedAt = new Date().toISOString();
        await deps.store.schedules.put(schedule);
      }
      return schedule;
    },
    list: () => deps.store.schedules.list(),
    async close() {
      await bree.stop();
    },
  };
}
