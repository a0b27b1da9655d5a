// Recovery after a restart, the one place that decides what becomes of work a previous daemon left unfinished:
// searches interrupted with their process (paused, to resume), experiments it was running (re-attach or re-queue), and leftover jobs.
import { errorMessage } from '../domain/errors.js';
import { type PersistedJob, readPersistedJob, type RunHandle, storedHandle } from '../domain/job-handle.js';
import type { Experiment } from '../domain/records.js';
import { resolveEnvironment, type ResolvedEnvironment, type SchedulerContext } from './context.js';
import { requeue } from './experiment-state.js';
import { sweepRunFolders } from './leftovers.js';

/** An experiment whose job outlived the previous daemon: the dispatcher carries on waiting for it. */
export interface Resumed {
  experiment: Experiment;
  resolved: ResolvedEnvironment;
  resume: PersistedJob;
}

/**
 * Settles everything a previous daemon left unfinished, in order: interrupted searches first (paused), then the experiments it was running, then jobs nothing refers to any more. Returns the
 * experiments to re-attach to, with their devices already claimed; nothing new may be dispatched before this ends.
 */
export async function recover(context: SchedulerContext): Promise<Resumed[]> {
  await settleInterruptedSearches(context);
  const resumes = await recoverExperiments(context);
  await reapLeftovers(context, new Set(resumes.map(({ resume }) => resume.handle.jobId)));
  // Run folders of interrupted runs keep only their logs: no workspace, and no harness copy with held-out data.
  const reduced = await sweepRunFolders(context, new Set(resumes.map(({ experiment }) => experiment.id)));
  if (reduced > 0) context.deps.log.info('reduced run folders left by a previous daemon to their logs', { reduced });
  return resumes;
}

/**
 * Searches a previous process was running stopped with it: they become `paused`, their experiments untouched (the
 * next steps re-attach or re-queue them), and `search resume` or a daemon's start carries them on from the store.
 */
async function settleInterruptedSearches(context: SchedulerContext): Promise<void> {
  const { store } = context.deps;
  for (const search of await store.searches.list((s) => s.state === 'running')) {
    await store.searches.put({ ...search, state: 'paused', updatedAt: new Date().toISOString() });
    context.deps.log.info('a search interrupted with its process is paused; resume it to carry on', { id: search.id });
  }
}

/** Experiments left running: re-attach to those whose job the executor still has, re-queue the others. */
async function recoverExperiments(context: SchedulerContext): Promise<Resumed[]> {
  const { deps, save } = context;
  const resumes: Resumed[] = [];
  for (const experiment of await deps.store.experiments.list((e) => e.state === 'running')) {
    const resume = await reattachable(context, experiment);
    if (resume) {
      // The job outlived the previous daemon (a container, a cluster job): carry on waiting for it.
      deps.gpus.claim(experiment.devices ?? []);
      resumes.push({
        experiment,
        resume,
        resolved: await resolveEnvironment(deps.environments, experiment.environment),
      });
      continue;
    }
    // Nothing to re-attach to: stop what is left of it and run it again, counting the attempt.
    await cancelJobs(context, experiment);
    requeue(experiment);
    deps.log.warn('re-queued an experiment interrupted by a restart; its unfinished runs start again', {
      id: experiment.id,
    });
    await save(experiment);
  }
  return resumes;
}

/** Where to carry on with an experiment a previous daemon was running, when its executor still has the job. */
async function reattachable({ deps }: SchedulerContext, experiment: Experiment): Promise<PersistedJob | undefined> {
  if (!deps.executor.reattachable) return undefined;
  if (experiment.preflight?.handle && !experiment.preflight.passed) return undefined;
  const inFlight = experiment.runs.filter((record) => record.state === 'running');
  if (inFlight.length !== 1) return undefined;
  const resume = readPersistedJob(inFlight[0]?.handle);
  if (!resume) return undefined;
  // An engine that cannot be reached now is not a lost job: re-attach, and let `wait` ride out the outage.
  const status = await deps.executor.poll(resume.handle).catch(() => undefined);
  return status?.state === 'lost' ? undefined : resume;
}

/** Stops every job recorded on the experiment (pre-flight and runs); a job already gone is no error. */
async function cancelJobs({ deps }: SchedulerContext, experiment: Experiment): Promise<void> {
  const handles = [experiment.preflight?.handle, ...experiment.runs.map((record) => record.handle)]
    .map(storedHandle)
    .filter((handle): handle is RunHandle => handle !== undefined);
  for (const handle of handles) await deps.executor.cancel(handle).catch(() => undefined);
}

/** Removes what earlier daemons left behind (containers, cluster jobs), except the jobs being re-attached to. */
async function reapLeftovers({ deps }: SchedulerContext, keep: ReadonlySet<string>): Promise<void> {
  if (!deps.executor.reap) return;
  const reaped = await deps.executor
    .reap((jobId) => keep.has(jobId))
    .catch((error: unknown) => {
      deps.log.warn('could not clean up jobs left by a previous daemon', { error: errorMessage(error) });
      return [];
    });
  if (reaped.length > 0) deps.log.info('removed jobs left by a previous daemon', { jobs: reaped });
}
