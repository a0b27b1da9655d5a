// Rank the experiments of a search (or an environment) by reward, failures last.
import type { MetricSpec } from '../domain/metric.js';
import type { Experiment, Idea } from '../domain/records.js';
import type { ServiceDeps } from './deps.js';
import { baselineRewardFor, experimentIdFor, seedStats } from './search-stats.js';

export interface LeaderboardRow {
  rank: number;
  experimentId: string;
  ideaId: string;
  title: string;
  state: Experiment['state'];
  metric?: number;
  std?: number;
  reward?: number;
  /** Metric minus the baseline (negative is better for `min` metrics). */
  delta?: number;
  improved?: boolean;
  /** The difference from the baseline exceeds twice the baseline's seed spread. */
  beyondNoise?: boolean;
  /** The code being edited printed the metric (read from its log); no frozen harness measured it. */
  selfReported?: boolean;
  failure?: string;
  /** Seeds the idea's result stands on (its certification's included), and whether more seeds confirmed it. */
  seeds?: number;
  certified?: boolean;
}

interface Scoring {
  metric: MetricSpec;
  baseline?: { value: number; profile: string } | undefined;
}

/** Seeds and certification of a succeeded experiment: a candidate's certification (same idea) adds its seeds. */
async function seedMarks(
  experiment: Experiment,
  byId: ReadonlyMap<string, Experiment>,
  scoring: (environment: string) => Promise<Scoring | undefined>,
): Promise<{ seeds: number; certified: boolean }> {
  const own = experiment.runs.filter((run) => run.state === 'succeeded').length;
  const candidate = byId.get(experimentIdFor(experiment.ideaId, 'candidate'));
  const certification = byId.get(experimentIdFor(experiment.ideaId, 'certification'));
  const inSearch =
    experiment.searchId !== undefined && (experiment.role === 'candidate' || experiment.role === 'certification');
  if (!inSearch || !candidate || candidate.state !== 'succeeded') return { seeds: own, certified: false };
  const scored = await scoring(experiment.environment);
  if (!scored) return { seeds: own, certified: false };
  const stats = seedStats(candidate, certification, scored.metric, baselineRewardFor(scored, candidate.profile));
  return stats ? { seeds: stats.seeds, certified: stats.certified } : { seeds: own, certified: false };
}

export async function leaderboard(
  deps: ServiceDeps,
  filter: { searchId?: string; environment?: string },
): Promise<LeaderboardRow[]> {
  // A search's results include those it reused from an identical edit run before (outside the search).
  const search = filter.searchId === undefined ? undefined : await deps.store.searches.get(filter.searchId);
  const reused = new Set(Object.values(search?.reused ?? {}));
  // The stored records, not copies: the rows below take values out of them and change nothing.
  const experiments = await deps.store.experiments.view(
    (e) =>
      (filter.searchId === undefined || e.searchId === filter.searchId || reused.has(e.id)) &&
      (filter.environment === undefined || e.environment === filter.environment),
  );
  const ideaIds = new Set(experiments.map((experiment) => experiment.ideaId));
  const ideas = new Map<string, Idea>();
  for (const idea of await deps.store.ideas.view((idea) => ideaIds.has(idea.id))) ideas.set(idea.id, idea);
  const byId = new Map<string, Experiment>(experiments.map((experiment) => [experiment.id, experiment]));
  // One manifest read per environment (not one per experiment); undefined when it cannot be read.
  const scorings = new Map<string, Promise<Scoring | undefined>>();
  const scoring = (name: string): Promise<Scoring | undefined> => {
    let found = scorings.get(name);
    if (!found) {
      found = deps.environments.get(name).then(
        ({ manifest }) => ({
          metric: manifest.metric,
          baseline: manifest.baseline,
        }),
        () => undefined,
      );
      scorings.set(name, found);
    }
    return found;
  };
  const marks = new Map<string, { seeds: number; certified: boolean }>();
  for (const experiment of experiments) {
    if (experiment.state === 'succeeded') marks.set(experiment.id, await seedMarks(experiment, byId, scoring));
  }
  // A certification adds seeds to its candidate's row (seeds, certified) rather than ranking as a row of its own.
  const ranked = experiments.filter(
    (experiment) => experiment.role !== 'certification' || !byId.has(experimentIdFor(experiment.ideaId, 'candidate')),
  );
  const rows = ranked.map((experiment): Omit<LeaderboardRow, 'rank'> => ({
    experimentId: experiment.id,
    ideaId: experiment.ideaId,
    title: ideas.get(experiment.ideaId)?.title ?? experiment.ideaId,
    state: experiment.state,
    ...(experiment.state === 'succeeded' && experiment.result
      ? {
          metric: experiment.result.metric.value,
          std: experiment.result.metric.std,
          reward: experiment.result.reward,
          delta: experiment.result.baseline?.delta,
          improved: experiment.result.baseline?.improved,
          beyondNoise: experiment.result.baseline?.beyondNoise,
          ...(experiment.result.metric.selfReported ? { selfReported: true } : {}),
          ...marks.get(experiment.id),
        }
      : {}),
    ...(experiment.failure ? { failure: `${experiment.failure.category}: ${experiment.failure.message}` } : {}),
  }));
  rows.sort((a, b) => (b.reward ?? Number.NEGATIVE_INFINITY) - (a.reward ?? Number.NEGATIVE_INFINITY));
  return rows.map((row, index) => ({ rank: index + 1, ...row }));
}
