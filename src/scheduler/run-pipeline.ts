// One run of one implementation with one seed: workspace → training → frozen check → evaluation → result.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { JobStep, PersistedJob, RunHandle } from '../domain/job-handle.js';
import type { Failure } from '../domain/records.js';
import type { ProfileSettings } from '../environments/manifest.js';
import type { Environment } from '../environments/registry.js';
import {
  changedFrozen,
  type ChangedFile,
  hashFrozen,
  materializeHarness,
  materializeWorkspace,
} from '../environments/workspace.js';
import type { Executor, JobExit, JobSpec } from '../executors/executor.js';
import { changedDataLinks, linkHomeData, sourceReadOnly } from '../environments/source.js';
import { implausible } from '../reward/compute-reward.js';
import { readResult } from '../reward/read-result.js';
import { reduceRunFolder } from './leftovers.js';
import { classifyExit, readLogTail } from './log-tail.js';

export interface RunRequest {
  jobId: string;
  environment: Environment;
  profile: string;
  /** What `profile` gives the run (environment variables, resources, data), resolved once by the scheduler. */
  settings: ProfileSettings;
  seed: number;
  changes: readonly ChangedFile[];
  python: string;
  /** Where this run keeps its workspace, logs and result. */
  runDir: string;
  /** The folder holding every experiment's run folders: the run's jobs see only their own `runDir` in it. */
  runsRoot?: string;
  executor: Executor;
  signal: AbortSignal;
  /**
   * Aborted when this daemon shuts down with a re-attachable executor: the run stops following its job, which keeps
   * running for the next daemon to re-attach to, and `executeRun` rejects with a `detached` error.
   */
  detach?: AbortSignal;
  /** Environment variables every job gets (PATH and the like); never secrets. */
  baseEnv: Record<string, string>;
  keepWorkspace: boolean;
  /** GPU ids allocated to this run by the scheduler (empty for CPU runs and for executors that manage devices). */
  devices: string[];
  /** The environment's data folder (`<dataDir>/<name>`): the manifest's data paths are relative to it. */
  dataDir: string;
  /** Called with each step's job (its handle plus what resuming needs) as soon as the step has started. */
  onStarted?: (job: PersistedJob) => void;
  /** Carry on with a step an earlier daemon started, instead of starting the run afresh. */
  resume?: PersistedJob;
  /** Says why a metric is implausible given the history of this environment, or undefined when it is plausible. */
  checkPlausible?: (metric: number) => Promise<string | undefined>;
}

export type RunOutcome =
  | { ok: true; metric: number; metrics: Record<string, number>; curve: [number, number][] }
  | { ok: false; failure: Failure };

export function runPaths(runDir: string) {
  return {
    workspace: join(runDir, 'workspace'),
    checkpoint: join(runDir, 'checkpoint'),
    harness: join(runDir, 'harness'),
    out: join(runDir, 'out'),
    home: join(runDir, 'home'),
    evaluateHome: join(runDir, 'evaluate-home'),
    trainLog: join(runDir, 'train.log'),
    evaluateLog: join(runDir, 'evaluate.log'),
  };
}

function fill(argv: readonly string[], values: Record<string, string>): string[] {
  return argv.map((part) => part.replace(/\{(python|harness|workspace|out)\}/g, (_, key: string) => values[key] ?? ''));
}

async function runJob(
  request: RunRequest,
  spec: JobSpec,
  step: JobStep,
  frozen: Record<string, string>,
): Promise<JobExit> {
  if (request.detach?.aborted) throw detachedError();
  const handle = await request.executor.start(spec);
  request.onStarted?.({ handle, step, frozen });
  return attachJob(request, handle);
}

/** Waits for a job (started now or by an earlier daemon), cancelling it when the run is aborted. */
async function attachJob(request: RunRequest, handle: RunHandle): Promise<JobExit> {
  // A cancel that fails (the engine unreachable) must not crash the daemon: the wait below still ends the run.
  const cancel = (): void => void request.executor.cancel(handle).catch(() => undefined);
  if (request.signal.aborted) cancel();
  request.signal.addEventListener('abort', cancel, { once: true });
  const detach = request.detach;
  let onDetach: (() => void) | undefined;
  const detached = new Promise<never>((_, reject) => {
    onDetach = () => reject(detachedError());
    if (detach?.aborted) onDetach();
    else detach?.addEventListener('abort', onDetach, { once: true });
  });
  detached.catch(() => undefined);
  try {
    return await Promise.race([request.executor.wait(handle), detached]);
  } finally {
    request.signal.removeEventListener('abort', cancel);
    if (onDetach) detach?.removeEventListener('abort', onDetach);
  }
}

/** The daemon stopped following a job it leaves running for the next daemon. */
export const DETACHED = 'detached: the daemon is shutting down and leaves the job running for the next one';
const detachedError = (): ResearchError => new ResearchError('cancelled', DETACHED);

async function failed(category: Failure['category'], message: string, ...logs: string[]): Promise<RunOutcome> {
  const tails = await Promise.all(logs.map((log) => readLogTail(log)));
  return { ok: false, failure: { category, message, logTail: tails.filter(Boolean).join('\n---\n') } };
}

async function exitFailure(
  exit: JobExit,
  step: string,
  limitSec: number,
  log: string,
  detectsOom: boolean,
): Promise<RunOutcome | undefined> {
  if (exit.cancelled && !exit.timedOut) return failed('cancelled', `cancelled during ${step}`, log);
  if (exit.timedOut) return failed('timeout', `${step} exceeded its time limit of ${limitSec} s and was stopped`, log);
  if (exit.exitCode === 0) return undefined;
  const tail = await readLogTail(log);
  const category = classifyExit(exit, tail, detectsOom);
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const fromOutside = category === 'crashed' && (exit.signal === 'SIGKILL' || exit.exitCode === 137);
  return {
    ok: false,
    failure: {
      category,
      message: `${step} ${how}${category === 'oom' ? ' (out of memory)' : fromOutside ? ' (not for memory: killed from outside)' : ''}`,
      logTail: tail,
    },
  };
}

/**
 * Runs the steps; a run that throws (an executor error, not a job left running for the next daemon) is reduced to
 * its logs like one that ended, so no workspace or harness copy outlives it.
 */
export async function executeRun(request: RunRequest): Promise<RunOutcome> {
  try {
    return await runSteps(request);
  } catch (error) {
    if (!(ResearchError.is(error, 'cancelled') && error.message === DETACHED)) {
      await reduceRunFolder(request.runDir, request.keepWorkspace).catch(() => undefined);
    }
    throw error;
  }
}

async function runSteps(request: RunRequest): Promise<RunOutcome> {
  const { environment, profile, settings, resume } = request;
  const manifest = environment.manifest;
  const paths = runPaths(request.runDir);
  const env: Record<string, string> = {
    ...request.baseEnv,
    HOME: paths.home,
    PYTHONDONTWRITEBYTECODE: '1',
    // No per-user site-packages: training could plant a usercustomize.py there to run inside evaluation.
    PYTHONNOUSERSITE: '1',
    PYTHONHASHSEED: '0',
    PYTHONUNBUFFERED: '1',
    GROUNDWORK_SEED: String(request.seed),
    GROUNDWORK_PROFILE: profile,
    GROUNDWORK_CHECKPOINT_DIR: paths.checkpoint,
    ...settings.env,
  };
  const data = settings.data;
  const trainData = data.train ? join(request.dataDir, data.train) : undefined;
  const evaluateData = data.evaluate ? join(request.dataDir, data.evaluate) : undefined;
  if (trainData) env.GROUNDWORK_TRAIN_DATA = trainData;
  const resources = settings.resources;
  const splitEvaluation = manifest.evaluate !== undefined;
  const values = { python: request.python, harness: paths.harness, workspace: paths.workspace, out: paths.out };
  const trainLimit = resources.timeLimitSec;

  if (resume?.step !== 'evaluate') {
    let frozenBefore: Map<string, string>;
    let trainExit: JobExit;
    if (resume) {
      frozenBefore = new Map(Object.entries(resume.frozen));
      trainExit = await attachJob(request, resume.handle);
    } else {
      await rm(paths.out, { recursive: true, force: true });
      await Promise.all([paths.checkpoint, paths.home].map((dir) => mkdir(dir, { recursive: true })));
      await materializeWorkspace(environment, request.changes, paths.workspace);
      await linkHomeData(environment, paths.home);
      frozenBefore = await hashFrozen(paths.workspace, manifest.frozen);
      // out/ is writable during training too (a forged result.json is wiped before the evaluation step writes its own).
      await mkdir(paths.out, { recursive: true });
      const missing = await missingData([trainData, splitEvaluation ? undefined : evaluateData]);
      if (missing) return finish(request, paths, await failed('infrastructure', dataHint(missing, data.hint)));
      trainExit = await runJob(
        request,
        {
          jobId: `${request.jobId}-train`,
          command: fill(manifest.command, values),
          cwd: paths.workspace,
          env: splitEvaluation ? env : { ...env, GROUNDWORK_OUT: paths.out },
          logPath: paths.trainLog,
          timeLimitSec: trainLimit,
          resources,
          writable: [paths.workspace, paths.checkpoint, paths.home, paths.out],
          // The environment's own files are the source of every later workspace: training must not change them.
          readOnly: [
            environment.dir,
            ...sourceReadOnly(environment, request.runDir),
            ...(trainData ? [trainData] : []),
          ],
          devices: request.devices,
          ...(manifest.image ? { image: manifest.image } : {}),
          ...(request.runsRoot ? { private: { root: request.runsRoot, keep: request.runDir } } : {}),
          // The environment's own code (a baseline) may run where the sandbox cannot; edited code may not.
          ...(request.changes.length === 0 ? { trusted: true } : {}),
          // Training must not read the held-out data by absolute path (the local executor shares the filesystem).
          hidden: [
            ...(manifest.harness ? [join(environment.dir, manifest.harness)] : []),
            ...(evaluateData ? [evaluateData] : []),
          ],
        },
        'train',
        Object.fromEntries(frozenBefore),
      );
    }
    const trainFailure = await exitFailure(
      trainExit,
      'training',
      trainLimit,
      paths.trainLog,
      request.executor.detectsOom,
    );
    if (trainFailure) return finish(request, paths, trainFailure);

    const tampered = [
      ...changedFrozen(frozenBefore, await hashFrozen(paths.workspace, manifest.frozen)),
      ...(await changedDataLinks(environment, paths.workspace)),
    ];
    if (tampered.length > 0) {
      return finish(
        request,
        paths,
        await failed('suspicious', `training changed frozen files: ${tampered.join(', ')}`, paths.trainLog),
      );
    }
  }

  if (manifest.evaluate) {
    const limit = resources.evaluateTimeLimitSec;
    let evaluateExit: JobExit;
    if (resume?.step === 'evaluate') evaluateExit = await attachJob(request, resume.handle);
    else {
      const missing = await missingData([evaluateData]);
      if (missing) return finish(request, paths, await failed('infrastructure', dataHint(missing, data.hint)));
      await materializeHarness(environment, paths.harness);
      // Evaluation gets a home of its own, created now, so nothing training left in its home runs here.
      await rm(paths.evaluateHome, { recursive: true, force: true });
      await mkdir(paths.evaluateHome, { recursive: true });
      await linkHomeData(environment, paths.evaluateHome);
      // Anything the training code wrote where the result will go is discarded.
      await rm(paths.out, { recursive: true, force: true });
      await mkdir(paths.out, { recursive: true });
      evaluateExit = await runJob(
        request,
        {
          jobId: `${request.jobId}-evaluate`,
          command: fill(manifest.evaluate, values),
          cwd: paths.workspace,
          env: {
            ...env,
            HOME: paths.evaluateHome,
            // Bytecode only from a fresh folder: a .pyc planted in the workspace by training is never loaded.
            PYTHONPYCACHEPREFIX: join(paths.evaluateHome, 'pycache'),
            GROUNDWORK_OUT: paths.out,
            GROUNDWORK_HARNESS: paths.harness,
            // What training printed, for harnesses that read the metric from it (self-reported metrics).
            GROUNDWORK_TRAIN_LOG: paths.trainLog,
            ...(evaluateData ? { GROUNDWORK_EVAL_DATA: evaluateData } : {}),
          },
          logPath: paths.evaluateLog,
          timeLimitSec: limit,
          resources,
          // The harness copy is writable so the harness can delete its held-out files (heldOut) once it has read
          // them, before it starts the code being evaluated.
          writable: [paths.out, paths.evaluateHome, paths.harness],
          readOnly: [
            environment.dir,
            paths.workspace,
            paths.checkpoint,
            paths.trainLog,
            ...sourceReadOnly(environment, request.runDir),
            ...(evaluateData ? [evaluateData] : []),
          ],
          devices: request.devices,
          ...(manifest.image ? { image: manifest.image } : {}),
          ...(request.runsRoot ? { private: { root: request.runsRoot, keep: request.runDir } } : {}),
          ...(request.changes.length === 0 ? { trusted: true } : {}),
          // The environment's own harness folder (held-out files included): the evaluation uses its copy only.
          ...(manifest.harness ? { hidden: [join(environment.dir, manifest.harness)] } : {}),
        },
        'evaluate',
        {},
      );
    }
    const evaluateFailure = await exitFailure(
      evaluateExit,
      'evaluation',
      limit,
      paths.evaluateLog,
      request.executor.detectsOom,
    );
    if (evaluateFailure) return finish(request, paths, evaluateFailure);
  }

  const result = await readResult(join(paths.out, 'result.json'));
  const logs = splitEvaluation ? [paths.trainLog, paths.evaluateLog] : [paths.trainLog];
  if (!result.ok) return finish(request, paths, await failed(result.category, result.message, ...logs));
  const outOfRange = implausible(result.metric, manifest.plausible) ?? (await request.checkPlausible?.(result.metric));
  if (outOfRange) return finish(request, paths, await failed('suspicious', outOfRange, ...logs));
  return finish(request, paths, { ok: true, metric: result.metric, metrics: result.metrics, curve: result.curve });
}

/** The first data path that does not exist, if any. */
async function missingData(paths: (string | undefined)[]): Promise<string | undefined> {
  for (const path of paths) {
    if (path && !(await stat(path).catch(() => undefined))) return path;
  }
  return undefined;
}

function dataHint(missing: string, hint: string | undefined): string {
  return `the environment's data is missing at ${missing}${hint ? `; prepare it with: ${hint}` : ''} (or point dataDir at a folder that has it)`;
}

async function finish(
  request: RunRequest,
  _paths: ReturnType<typeof runPaths>,
  outcome: RunOutcome,
): Promise<RunOutcome> {
  // Logs and out/ stay; the harness copy (held-out data) goes even when workspaces are kept (leftovers.ts).
  await reduceRunFolder(request.runDir, request.keepWorkspace);
  return outcome;
}
