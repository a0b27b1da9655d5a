// A scripted executor for tests: each job's outcome comes from a function; calls are recorded.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { FakeHandle } from '../domain/job-handle.js';
import type { Executor, JobExit, JobSpec, JobStatus, RunHandle } from './executor.js';

export interface FakeOutcome {
  exitCode?: number;
  /** Written to the job's log. */
  log?: string;
  /** Files to write, absolute paths, before the job "exits". */
  files?: Record<string, string>;
  delayMs?: number;
  timedOut?: boolean;
  oomKilled?: boolean;
  /** The job vanishes (a node lost it): `wait` rejects with an executor error after `delayMs`. */
  lost?: boolean;
}

export interface FakeExecutor extends Executor<FakeHandle> {
  readonly started: JobSpec[];
}

interface FakeJob {
  done: Promise<JobExit>;
  cancel: () => void;
  exit?: JobExit;
}

/** Jobs that outlive the executor that started them, like containers outliving a daemon. */
export interface FakeCluster {
  readonly jobs: Map<string, FakeJob>;
}

export function createFakeCluster(): FakeCluster {
  return { jobs: new Map() };
}

export function createFakeExecutor(
  script: (spec: JobSpec) => FakeOutcome,
  options: { cluster?: FakeCluster } = {},
): FakeExecutor {
  const started: JobSpec[] = [];
  const cluster = options.cluster;
  const jobs = cluster?.jobs ?? new Map<string, FakeJob>();
  return {
    kind: 'fake',
    reattachable: cluster !== undefined,
    managesDevices: false,
    detectsOom: false,
    started,
    async start(spec): Promise<FakeHandle> {
      started.push(spec);
      const outcome = script(spec);
      const began = Date.now();
      let cancel: () => void = () => undefined;
      const done = new Promise<JobExit>((resolve, reject) => {
        const finish = async (cancelled: boolean): Promise<void> => {
          await mkdir(dirname(spec.logPath), { recursive: true });
          await writeFile(spec.logPath, outcome.log ?? '', { flag: 'a' });
          if (!cancelled) {
            for (const [path, content] of Object.entries(outcome.files ?? {})) {
              await mkdir(dirname(path), { recursive: true });
              await writeFile(path, content);
            }
          }
          const exit: JobExit = {
            exitCode: cancelled ? null : (outcome.exitCode ?? 0),
            signal: cancelled ? 'SIGTERM' : null,
            timedOut: outcome.timedOut ?? false,
            cancelled,
            oomKilled: outcome.oomKilled ?? false,
            durationMs: Date.now() - began,
          };
          // A cluster keeps the exit of an ended job for whoever asks later; otherwise the job is forgotten.
          const job = jobs.get(spec.jobId);
          if (cluster && job) job.exit = exit;
          else jobs.delete(spec.jobId);
          resolve(exit);
        };
        const timer = setTimeout(() => {
          if (!outcome.lost) return void finish(false);
          jobs.delete(spec.jobId);
          reject(new ResearchError('executor', `the fake cluster lost job ${spec.jobId}`, { retryable: true }));
        }, outcome.delayMs ?? 0);
        cancel = () => {
          clearTimeout(timer);
          void finish(true);
        };
      });
      jobs.set(spec.jobId, { done, cancel });
      return { executor: 'fake', jobId: spec.jobId };
    },
    async wait(handle: RunHandle) {
      const job = jobs.get(handle.jobId);
      if (!job) throw new Error(`fake job ${handle.jobId} unknown`);
      return job.done;
    },
    async poll(handle: RunHandle): Promise<JobStatus> {
      const job = jobs.get(handle.jobId);
      if (!job) return { state: 'lost', reason: 'not running' };
      return job.exit ? { state: 'exited', ...job.exit } : { state: 'running' };
    },
    async cancel(handle: RunHandle) {
      const job = jobs.get(handle.jobId);
      if (job && !job.exit) {
        job.cancel();
        await job.done;
      }
    },
    async close() {
      // Jobs on a cluster outlive the executor; local fake jobs end with it.
      if (!cluster) for (const job of jobs.values()) job.cancel();
    },
  };
}
