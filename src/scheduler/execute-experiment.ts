// One experiment from dispatch to its end: the smoke pre-flight, each seed's run (retried once when the executor
// lost it), and the final state with its reward. Each run itself is the pipeline in run-pipeline.ts.
import { join } from 'node:path';

import { errorMessage, ResearchError } from '../domain/errors.js';
import type { PersistedJob } from '../domain/job-handle.js';
import type { Failure, Run } from '../domain/records.js';
import { type ProfileSettings, runSettings } from '../environments/manifest.js';
import type { Environment } from '../environments/registry.js';
import type { ChangedFile } from '../environments/workspace.js';
import { readChangedFiles } from '../store/artifacts.js';
import type { Dispatched, SchedulerContext } from './context.js';
import { applyOutcome, finish, requeue, retryRun, startExperiment, startRun } from './experiment-state.js';
import { executeRun, type RunOutcome } from './run-pipeline.js';

/** Attempts per run when the executor fails it (a lost cluster job, an engine that went away). */
const MAX_ATTEMPTS = 2;

/** Everything one experiment's runs have in common. */
interface Common {
  context: SchedulerContext;
  dispatched: Dispatched;
  environment: Environment;
  python: string;
  changes: ChangedFile[];
}

export async function executeExperiment(context: SchedulerContext, dispatched: Dispatched): Promise<void> {
  const { deps, save } = context;
  const { experiment, signal, detach } = dispatched;
  startExperiment(experiment, dispatched.devices);
  // Said in every report of the experiment: its code ran without the local sandbox.
  if (deps.executor.sandbox === 'off') experiment.sandbox = 'off';
  try {
    await save(experiment);
  } catch (error) {
    dispatched.unstartable();
    throw error;
  }
  deps.log.info('experiment started', { id: experiment.id, environment: experiment.environment });
  let failure: Failure | undefined;
  let environment: Environment | undefined;
  try {
    if ('error' in dispatched.resolved) throw dispatched.resolved.error;
    environment = dispatched.resolved.environment;
    const python = await deps.resolvePython(environment);
    const implementation = await deps.store.implementations.get(experiment.implementationId);
    if (!implementation) throw new ResearchError('not_found', `no implementation ${experiment.implementationId}`);
    const changes = await readChangedFiles(deps.home, implementation);
    const common: Common = { context, dispatched, environment, python, changes };
    failure = (await preflight(common)) ?? (await seedRuns(common));
  } catch (error) {
    const message = errorMessage(error);
    failure = {
      category: ResearchError.is(error, 'cancelled')
        ? 'cancelled'
        : // Stored code that no longer matches its hash (store/artifacts.ts): tampered with, not an outage.
          ResearchError.is(error) && error.details?.category === 'suspicious'
          ? 'suspicious'
          : 'infrastructure',
      message: ResearchError.is(error) ? message : `infrastructure error: ${message}`,
      logTail: '',
    };
  }
  dispatched.releaseDevices();
  if (detach.aborted) {
    // Shutting down with a re-attachable executor: the job runs on, and the next daemon re-attaches to it.
    deps.log.info('left running for the next daemon to re-attach', { id: experiment.id });
    return;
  }
  if (signal.aborted && dispatched.closing() && !dispatched.cancelledByUser()) {
    // Stopped because this process is shutting down, not by a user: leave it for the next start.
    requeue(experiment);
    await save(experiment);
    deps.log.info('experiment interrupted by shutdown; it will run again on the next start', { id: experiment.id });
    return;
  }
  if (signal.aborted && (!failure || failure.category !== 'cancelled')) {
    failure = { category: 'cancelled', message: 'cancelled', logTail: failure?.logTail ?? '' };
  }
  finish(experiment, failure, environment?.manifest);
  await save(experiment);
  deps.log.info('experiment ended', {
    id: experiment.id,
    state: experiment.state,
    metric: experiment.result?.metric.value,
  });
}

/** The smoke pre-flight, unless disabled, already passed, or the experiment is a smoke run: its failure, if any. */
async function preflight(common: Common): Promise<Failure | undefined> {
  const { context, dispatched, environment } = common;
  const { experiment } = dispatched;
  const wanted =
    context.deps.preflightSmoke && experiment.profile !== 'smoke' && environment.manifest.profiles.smoke !== undefined;
  if (!wanted || experiment.preflight?.passed) return undefined;
  const outcome = await runOnce(common, 'preflight', 0, 'smoke', (job) => {
    experiment.preflight = { passed: false, handle: job };
    context.saveInBackground(experiment);
  });
  experiment.preflight = { passed: outcome.ok };
  if (outcome.ok) return undefined;
  if (outcome.failure.category === 'cancelled') return outcome.failure;
  return {
    ...outcome.failure,
    category: 'preflight_failed',
    message: `smoke pre-flight: ${outcome.failure.category}: ${outcome.failure.message}`,
  };
}

/** Each seed's run in turn, until one fails: the first failure, if any. */
async function seedRuns(common: Common): Promise<Failure | undefined> {
  const { context, dispatched } = common;
  const { experiment, signal, resume } = dispatched;
  const settings = runSettings(common.environment.manifest, experiment.profile);
  for (const record of experiment.runs) {
    if (signal.aborted) break;
    // A run a previous daemon started is carried on from its recorded step; one that ended is not run again.
    const resumeFrom = resume && record.state === 'running' ? resume : undefined;
    if (record.state !== 'queued' && !resumeFrom) continue;
    if (!resumeFrom) {
      startRun(record);
      await context.save(experiment);
    }
    const outcome = await runWithRetry(common, record, settings, resumeFrom);
    applyOutcome(record, outcome);
    await context.save(experiment);
    if (!outcome.ok) return outcome.failure;
  }
  return undefined;
}

/** One seed's run; when the executor lost the job or could not reach its engine, it runs again once. */
async function runWithRetry(
  common: Common,
  record: Run,
  settings: ProfileSettings,
  resumeFrom: PersistedJob | undefined,
): Promise<RunOutcome> {
  const { context, dispatched } = common;
  const { deps } = context;
  const { experiment } = dispatched;
  const onStarted = (job: PersistedJob): void => {
    record.handle = job;
    context.saveInBackground(experiment);
  };
  for (let resumeWith = resumeFrom; ; resumeWith = undefined) {
    try {
      return await runOnce(
        common,
        `seed-${record.seed}`,
        record.seed,
        experiment.profile,
        onStarted,
        resumeWith,
        settings,
      );
    } catch (error) {
      const retryable = ResearchError.is(error, 'executor') && error.retryable;
      if (!retryable || dispatched.signal.aborted || record.attempt >= MAX_ATTEMPTS) throw error;
      if (record.handle) await deps.executor.cancel(record.handle.handle).catch(() => undefined);
      deps.log.warn('the executor failed a run; running it again', {
        id: experiment.id,
        seed: record.seed,
        attempt: record.attempt + 1,
        error: errorMessage(error),
      });
      retryRun(record);
      await context.save(experiment);
    }
  }
}

/** One run of the experiment's implementation under `profile`, in the run folder `label`. */
async function runOnce(
  common: Common,
  label: string,
  seed: number,
  profile: string,
  onStarted: (job: PersistedJob) => void,
  resume?: PersistedJob,
  settings: ProfileSettings = runSettings(common.environment.manifest, profile),
): Promise<RunOutcome> {
  const { context, dispatched, environment } = common;
  const { deps, history } = context;
  const { experiment } = dispatched;
  return executeRun({
    jobId: `${experiment.id}-${label}`,
    environment,
    profile,
    settings,
    seed,
    changes: common.changes,
    python: common.python,
    runDir: join(deps.runsDir, experiment.id, label),
    runsRoot: deps.runsDir,
    executor: deps.executor,
    signal: dispatched.signal,
    detach: dispatched.detach,
    baseEnv: deps.baseEnv,
    keepWorkspace: deps.keepWorkspaces,
    devices: dispatched.devices.slice(0, settings.resources.gpus),
    dataDir: join(deps.dataDir, experiment.environment),
    onStarted,
    resume,
    // Judged against the history of the profile this run used (the smoke pre-flight against smoke runs).
    checkPlausible: (metric) =>
      history.check(
        { ...experiment, profile },
        metric,
        environment.manifest.metric.direction,
        environment.manifest.baseline,
      ),
  });
}
