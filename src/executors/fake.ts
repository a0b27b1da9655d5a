// A scripted executor for tests: each job's outcome comes from a function; calls are recorded.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

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
}

export interface FakeExecutor extends Executor {
  readonly started: JobSpec[];
}

export function createFakeExecutor(script: (spec: JobSpec) => FakeOutcome): FakeExecutor {
  const started: JobSpec[] = [];
  const jobs = new Map<string, { done: Promise<JobExit>; cancel: () => void }>();
  return {
    kind: 'fake',
    reattachable: false,
    managesDevices: false,
    started,
    async start(spec) {
      started.push(spec);
      const outcome = script(spec);
      const began = Date.now();
      let cancel: () => void = () => undefined;
      const done = new Promise<JobExit>((resolve) => {
        const finish = async (cancelled: boolean): Promise<void> => {
          await mkdir(dirname(spec.logPath), { recursive: true });
          await writeFile(spec.logPath, outcome.log ?? '', { flag: 'a' });
          if (!cancelled) {
            for (const [path, content] of Object.entries(outcome.files ?? {})) {
              await mkdir(dirname(path), { recursive: true });
              await writeFile(path, content);
            }
          }
          jobs.delete(spec.jobId);
          resolve({
            exitCode: cancelled ? null : (outcome.exitCode ?? 0),
            signal: cancelled ? 'SIGTERM' : null,
            timedOut: outcome.timedOut ?? false,
            cancelled,
            oomKilled: outcome.oomKilled ?? false,
            durationMs: Date.now() - began,
          });
        };
        const timer = setTimeout(() => void finish(false), outcome.delayMs ?? 0);
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
      return jobs.has(handle.jobId) ? { state: 'running' } : { state: 'lost', reason: 'not running' };
    },
    async cancel(handle: RunHandle) {
      const job = jobs.get(handle.jobId);
      if (job) {
        job.cancel();
        await job.done;
      }
    },
    async close() {
      for (const job of jobs.values()) job.cancel();
    },
  };
}
