// Follows one container until it exits: its log into the job's log file, its time limit, and its exit status.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { errorMessage, ResearchError } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';
import { fault, gone, isAbort, statusCode } from './docker-errors.js';
import { createLogDemuxer } from './docker-frames.js';
import { LABEL_LOG } from './docker-spec.js';
import type { JobExit } from './executor.js';

/** What is read of a container's inspect record (dockerode's `ContainerInspectInfo` has all of it). */
export interface ContainerFacts {
  State: {
    Running: boolean;
    Status: string;
    ExitCode: number;
    OOMKilled: boolean;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: { Labels?: Record<string, string> };
}

/** The engine calls a watch makes on its container; they reject as the engine does (`statusCode` 404: it is gone). */
export interface WatchedContainer {
  inspect(signal?: AbortSignal): Promise<ContainerFacts>;
  /** Resolves once the container no longer runs, with the exit status the engine reports. */
  wait(signal: AbortSignal): Promise<number | undefined>;
  /** Its output as the engine's frames, following it until it exits. */
  followLogs(signal: AbortSignal): Promise<NodeJS.ReadableStream>;
  /** Its whole output so far, as the engine's frames. */
  readLogs(): Promise<Buffer>;
  /** SIGTERM, then SIGKILL after the grace period; quiet when it has stopped already. */
  stop(): Promise<void>;
}

export interface WatchOptions {
  container: WatchedContainer;
  /** The job, with the epoch ms its container started: the time limit runs from there, also after a re-attach. */
  job: { jobId: string; startedAt: number; timeLimitSec: number };
  /** The host path of the job's log; unset (after a re-attach): read from the container's label. */
  logPath?: string;
  /** The engine's address, for error messages. */
  target: string;
  log: Logger;
  /** Called with the job's exit before `done` resolves. */
  onExit(exit: JobExit): void;
}

/** Whether the container has exited, and whether this process stopped it and why. */
export interface WatchState {
  exited: boolean;
  cancelled: boolean;
  timedOut: boolean;
}

/** This process's view of one container it follows until it exits. */
export interface Watch {
  readonly done: Promise<JobExit>;
  readonly state: Readonly<WatchState>;
  /** The container's removal, once the executor has started it. */
  removed?: Promise<void>;
  /** Stops the container if it still runs, recording why (a job that ended on its own is neither). */
  stop(reason: 'cancelled' | 'timedOut'): Promise<void>;
  /** Stops following (the container keeps running). */
  detach(): void;
}

/** How long a finished job's log stream may take to drain before the log is re-read from the engine. */
const LOG_DRAIN_MS = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long the container ran, by the engine's clock when it says, else since `fallbackStart`. */
export function durationMs(state: ContainerFacts['State'] | undefined, fallbackStart: number): number {
  const started = state ? Date.parse(state.StartedAt) : NaN;
  const finished = state ? Date.parse(state.FinishedAt) : NaN;
  if (Number.isFinite(started) && Number.isFinite(finished) && finished >= started) return finished - started;
  return Math.max(0, Date.now() - fallbackStart);
}

/** Copies the container's output into the log file while it runs; false when the stream broke off. */
async function followLog(
  container: WatchedContainer,
  logPath: string,
  signal: AbortSignal,
  log: Logger,
): Promise<boolean> {
  try {
    await mkdir(dirname(logPath), { recursive: true });
    const stream = await container.followLogs(signal);
    await pipeline(stream, createLogDemuxer(), createWriteStream(logPath), { signal });
    return true;
  } catch (error) {
    if (!signal.aborted) log.warn('following a container log failed', { logPath, error: errorMessage(error) });
    return false;
  }
}

/** Writes the whole log again from the engine (after a broken or slow stream). */
async function rewriteLog(container: WatchedContainer, logPath: string, log: Logger): Promise<void> {
  try {
    const frames = await container.readLogs();
    await pipeline(Readable.from([frames]), createLogDemuxer(), createWriteStream(logPath));
  } catch (error) {
    log.warn('reading a container log failed', { logPath, error: errorMessage(error) });
  }
}

/** Follows a container until it exits: its log, its time limit, and its exit status. */
export function watch(options: WatchOptions): Watch {
  const { container, job, target, log } = options;
  const controller = new AbortController();
  const logControl = new AbortController();
  const abortLog = (): void => logControl.abort();
  controller.signal.addEventListener('abort', abortLog, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = job.startedAt + job.timeLimitSec * 1000;
  const state: WatchState = { exited: false, cancelled: false, timedOut: false };

  const stop = async (reason: 'cancelled' | 'timedOut'): Promise<void> => {
    if (state.exited) return;
    const info = await container.inspect().catch(() => undefined);
    if (!info?.State.Running || state.exited) return;
    state[reason] = true;
    await container.stop();
  };
  const arm = (): void => {
    const left = deadline - Date.now();
    timer = setTimeout(
      () => {
        if (Date.now() < deadline) return arm();
        log.info('job reached its time limit; stopping its container', { jobId: job.jobId });
        void stop('timedOut');
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
  };

  const done = (async (): Promise<JobExit> => {
    let logPath = options.logPath;
    if (logPath === undefined) {
      const info = await container.inspect(controller.signal).catch((error: unknown) => {
        throw statusCode(error) === 404 ? gone(job.jobId) : fault(error, `inspect of job ${job.jobId}`, target);
      });
      logPath = info.Config.Labels?.[LABEL_LOG];
    }
    arm();
    const logging = logPath ? followLog(container, logPath, logControl.signal, log) : Promise.resolve(true);
    let statusFromWait: number | undefined;
    try {
      statusFromWait = await container.wait(controller.signal);
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) {
        throw new ResearchError(
          'executor',
          `stopped following job ${job.jobId}: the docker executor was closed (the container keeps running; a new daemon re-attaches to it)`,
        );
      }
      throw statusCode(error) === 404 ? gone(job.jobId) : fault(error, `wait for job ${job.jobId}`, target);
    } finally {
      if (timer) clearTimeout(timer);
    }
    state.exited = true;
    const info = await container.inspect().catch(() => undefined);
    if (logPath) {
      const drained = await Promise.race([
        logging,
        new Promise<false>((resolveLater) => setTimeout(() => resolveLater(false), LOG_DRAIN_MS).unref()),
      ]);
      if (!drained) {
        abortLog();
        await logging;
        await rewriteLog(container, logPath, log);
      }
    }
    const exit: JobExit = {
      exitCode: info?.State.ExitCode ?? statusFromWait ?? null,
      signal: null,
      timedOut: state.timedOut,
      cancelled: state.cancelled,
      oomKilled: info?.State.OOMKilled ?? false,
      durationMs: durationMs(info?.State, job.startedAt),
    };
    options.onExit(exit);
    return exit;
  })();
  done.catch(() => undefined);

  return {
    done,
    state,
    stop,
    detach: () => {
      if (timer) clearTimeout(timer);
      controller.abort();
    },
  };
}
