// What the application services need, wired by the composition root (src/server.ts).
import type { Config } from '../config/schema.js';
import type { Schedule, Search } from '../domain/records.js';
import type { Environment, EnvironmentRegistry } from '../environments/registry.js';
import type { Ideator } from '../ideation/ideator.js';
import type { Implementer } from '../implementer/implementer.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';

export interface ServiceDeps {
  config: Config;
  store: Store;
  environments: EnvironmentRegistry;
  scheduler: Scheduler;
  ideator: Ideator;
  implementer: Implementer;
  log: Logger;
  /** Interpreter for an environment (and for syntax pre-flight). */
  resolvePython(environment: Environment): Promise<string>;
}

export interface StartSearchInput {
  environment: string;
  strategy?: string;
  options?: Record<string, unknown>;
  profile?: string;
  seed?: number;
  /** Common settings (the CLI's flags) the strategy maps onto its options, over `options`. */
  settings?: { epochs?: number; batchSize?: number; budget?: number };
}

/** Starts and follows searches (implemented in src/search, which sits above the services). */
export interface SearchRunner {
  start(input: StartSearchInput): Promise<Search>;
  /** Carries on with a running or paused search from the store (a no-op when this process already runs it). */
  resume(searchId: string): Promise<Search>;
  /** Resumes every search left running or paused (what a daemon does when it starts). */
  resumeAll(): Promise<Search[]>;
  /** Resolves when the search has ended. */
  wait(searchId: string): Promise<Search>;
  cancel(searchId: string): Promise<Search>;
  close(): Promise<void>;
}

export interface ScheduleSearchInput extends StartSearchInput {
  /** Cron expression (`0 3 * * *`) or interval (`6h`, `every 30 minutes`). */
  schedule: string;
}

/** Recurring searches (implemented in src/search with bree). */
export interface SearchSchedules {
  /** Restores the active schedules from the store and starts their timers. */
  start(): Promise<void>;
  /** Stores the schedule, starts its first search now, and runs a new one on every tick. */
  create(input: ScheduleSearchInput): Promise<{ schedule: Schedule; search: Search }>;
  /** Stops future ticks; a search already running goes on (cancel it separately). */
  cancel(id: string): Promise<Schedule>;
  list(): Promise<Schedule[]>;
  close(): Promise<void>;
}
