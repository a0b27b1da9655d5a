// One search's live state and the exactly-once evaluation of an idea: find its experiment by its derived id, or
// implement it (gate, reuse) and queue it; certify a candidate that beats the best. Shared by steady and epochs.
import type { MetricSpec } from '../domain/metric.js';
import type { Experiment, Idea, Implementation, Search } from '../domain/records.js';
import { isEnded } from '../domain/states.js';
import type { ServiceDeps } from '../services/deps.js';
import { runExperiment } from '../services/experiments.js';
import { implementationDiffHash, implementIdea } from '../services/implementations.js';
import { experimentIdFor, seedStats } from '../services/search-stats.js';
import type { Logger } from '../util/logger.js';
import type { Budgets } from './search-budgets.js';
import type { Evaluation } from './search-context.js';
import { createDuplicateGate, type DuplicateGate } from './duplicate-gate.js';
import { findReusableExperiment } from './result-reuse.js';
import type { RunnerOptions } from './search-options.js';

export type StopReason = 'pause' | 'cancel';

export interface Drive {
  deps: ServiceDeps;
  search: Search;
  runner: RunnerOptions;
  profile: string;
  seed: number;
  signal: AbortSignal;
  log: Logger;
  metric: MetricSpec;
  baselineReward?: number;
  budgets: Budgets;
  /** Candidates that ended, in the order they ended; and the control arm's. */
  population: Evaluation[];
  control: Evaluation[];
  /** Ideas of this search already in the store when it (re)started, in order, not yet handed out again. */
  storedCandidates: Idea[];
  storedControl: Idea[];
  /** Candidate ideas proposed so far (stored ones included). */
  candidateIdeas: number;
  /** Reward each finished candidate stands at (its seeds' mean once certified): the bar a newcomer must beat. */
  standing: Map<string, number>;
  gate?: DuplicateGate;
  findReusable?: typeof findReusableExperiment;
  save(): Promise<void>;
}

export function searchTools(deps: ServiceDeps): Pick<Drive, 'gate' | 'findReusable'> {
  return { gate: createDuplicateGate(deps.store), findReusable: findReusableExperiment };
}

const stopReason = (signal: AbortSignal): StopReason | undefined =>
  signal.aborted ? (signal.reason === 'cancel' ? 'cancel' : 'pause') : undefined;

/** Waits for the experiment to end; a cancel of the search cancels it, a pause leaves it to the next process. */
async function follow(drive: Drive, id: string): Promise<Experiment> {
  const { scheduler } = drive.deps;
  const onAbort = (): void => {
    if (stopReason(drive.signal) === 'cancel') void scheduler.cancel(id).catch(() => undefined);
  };
  drive.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const experiment = await scheduler.waitFor(id, { signal: drive.signal });
    if (!isEnded(experiment) && stopReason(drive.signal) === 'cancel') return scheduler.cancel(id);
    return experiment;
  } finally {
    drive.signal.removeEventListener('abort', onAbort);
  }
}

function fromExperiment(idea: Idea, experiment: Experiment, implementationId?: string): Evaluation {
  const result = experiment.result;
  const base = { idea, implementationId: implementationId ?? experiment.implementationId, experiment };
  return experiment.state === 'succeeded' && result
    ? { ...base, metric: result.metric.value, reward: result.reward }
    : { ...base, failure: experiment.failure ?? { category: 'infrastructure', message: 'no result' } };
}

async function latestImplementation(drive: Drive, idea: Idea): Promise<Implementation | undefined> {
  const all = await drive.deps.store.implementations.list((i) => i.ideaId === idea.id);
  return all.find((i) => i.status === 'ready') ?? all.at(-1);
}

/**
 * Evaluates an idea at most once per role, whatever happened before: an experiment already queued under the idea's
 * derived id is followed, not queued again; an edit already made is not made again.
 */
export async function evaluateIdea(drive: Drive, idea: Idea, role: 'candidate' | 'control'): Promise<Evaluation> {
  const { deps, search } = drive;
  const id = experimentIdFor(idea.id, role);
  const existing = await deps.store.experiments.get(id);
  if (existing) return fromExperiment(idea, await follow(drive, id));
  const duplicateOf = search.duplicates?.[idea.id];
  if (duplicateOf) return { idea, failure: { category: 'cancelled', message: `duplicate of idea ${duplicateOf}` } };
  const reusedId = search.reused?.[idea.id];
  if (reusedId) {
    const reused = await deps.store.experiments.get(reusedId);
    if (reused) return fromExperiment(idea, reused);
  }
  let implementation = await latestImplementation(drive, idea);
  if (!implementation) {
    const spent = await drive.budgets.spent(0);
    if (spent && spent.budget !== 'ideas') {
      return { idea, failure: { category: 'cancelled', message: `not implemented: ${spent.message}` } };
    }
    if (role === 'candidate' && drive.gate) {
      const verdict = await drive.gate.check(search.environment, idea.text, {
        ideaId: idea.id,
        ...(idea.knobs ? { knobs: idea.knobs } : {}),
      });
      if (verdict.duplicateOf && verdict.duplicateOf !== idea.id) {
        search.duplicates = { ...search.duplicates, [idea.id]: verdict.duplicateOf };
        await drive.save();
        drive.log.info('rejected a near-duplicate idea', { idea: idea.id, of: verdict.duplicateOf });
        return { idea, failure: { category: 'cancelled', message: `duplicate of idea ${verdict.duplicateOf}` } };
      }
    }
    implementation = await implementIdea(deps, { ideaId: idea.id }, drive.signal);
  }
  if (implementation.status !== 'ready') {
    return {
      idea,
      implementationId: implementation.id,
      failure: implementation.error ?? { category: 'edit_refused', message: 'no edit' },
    };
  }
  const diffHash = drive.findReusable ? await implementationDiffHash(deps.config.home, implementation) : undefined;
  if (drive.findReusable && diffHash) {
    const reused = await drive.findReusable(deps.store, {
      environment: search.environment,
      profile: drive.profile,
      diffHash,
      implementationId: implementation.id,
      home: deps.config.home,
    });
    if (reused && reused.ideaId !== idea.id) {
      search.reused = { ...search.reused, [idea.id]: reused.id };
      await drive.save();
      return fromExperiment(idea, reused, implementation.id);
    }
  }
  drive.signal.throwIfAborted();
  const queued = await runExperiment(deps, {
    implementationId: implementation.id,
    searchId: search.id,
    profile: drive.profile,
    id,
    role,
  });
  if (!search.experimentIds.includes(queued.id)) search.experimentIds.push(queued.id);
  await drive.save();
  return fromExperiment(idea, await follow(drive, id), implementation.id);
}

/** The reward a newcomer must beat to be certified: the baseline and every finished candidate's standing. */
export function bar(drive: Drive): number {
  return Math.max(drive.baselineReward ?? Number.NEGATIVE_INFINITY, ...drive.standing.values());
}

/**
 * A candidate that beats the bar on its first seed is re-run on `certifySeeds` more seeds (once: the id is derived)
 * before it can stand as the best; it then stands at the mean over all its seeds.
 */
export async function certify(drive: Drive, evaluation: Evaluation): Promise<void> {
  const { experiment, reward } = evaluation;
  if (!experiment || reward === undefined) return;
  const id = experimentIdFor(evaluation.idea.id, 'certification');
  const already = await drive.deps.store.experiments.get(id);
  if (!already && (drive.runner.certifySeeds === 0 || reward <= bar(drive))) {
    drive.standing.set(evaluation.idea.id, reward);
    return;
  }
  drive.standing.set(evaluation.idea.id, reward);
  if (!already) {
    drive.signal.throwIfAborted();
    await runExperiment(drive.deps, {
      implementationId: experiment.implementationId,
      searchId: drive.search.id,
      profile: drive.profile,
      seeds: Array.from({ length: drive.runner.certifySeeds }, (_, i) => i + 1),
      id,
      role: 'certification',
    });
    if (!drive.search.experimentIds.includes(id)) drive.search.experimentIds.push(id);
    await drive.save();
    drive.log.info('certifying a candidate that beat the best on its first seed', { idea: evaluation.idea.id });
  }
  const certification = await follow(drive, id);
  const stats = seedStats(experiment, certification, drive.metric, drive.baselineReward);
  if (stats)
    drive.standing.set(evaluation.idea.id, stats.certified ? stats.rewardMean : Math.min(reward, stats.rewardMean));
}

/** Takes up to `count` stored ideas matching `match` (in order), removing them from `stored`. */
export function takeStored(stored: Idea[], count: number, match: (idea: Idea) => boolean): Idea[] {
  const taken: Idea[] = [];
  for (let i = 0; i < stored.length && taken.length < count;) {
    const idea = stored[i] as Idea;
    if (match(idea)) {
      taken.push(idea);
      stored.splice(i, 1);
    } else i++;
  }
  return taken;
}
