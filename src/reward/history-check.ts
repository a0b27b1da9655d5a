// The history check applied to each result: earlier succeeded runs of the same environment and profile, read from
// the store once per environment and profile, then kept up to date as experiments succeed. The spread is measured
// over each distinct outcome of each distinct implementation once, so reruns of one idea never shrink it.
import type { Direction } from '../domain/metric.js';
import type { Experiment, Implementation } from '../domain/records.js';
import { type LearnedRangeOptions, leapsPastHistory } from './learned-range.js';

/** What the check reads of the store: its experiments (the store's `experiments` repository fits). */
export interface ExperimentHistory {
  list(filter?: (experiment: Experiment) => boolean): Promise<Experiment[]>;
}

/** Optional: the implementations, so implementations with the same stored diff count as one idea. */
export interface ImplementationLookup {
  get(id: string): Promise<Implementation | undefined>;
}

export interface HistoryCheck {
  /**
   * Why `metric` is implausible for the experiment's environment and profile, or undefined. `baseline`: the
   * environment's recorded baseline, whose seed spread is the least spread assumed when it has the same profile.
   */
  check(
    experiment: Experiment,
    metric: number,
    direction: Direction,
    baseline?: { std: number; profile: string },
  ): Promise<string | undefined>;
  /** Adds a succeeded experiment's run metrics to the history (call on every experiment update). */
  record(experiment: Experiment): void;
}

/** One earlier experiment as the history keeps it: which idea (diff) it ran, and its seeds' metrics. */
interface Entry {
  idea: string;
  values: number[];
}

const succeededMetrics = (experiment: Experiment): number[] =>
  experiment.runs.filter((run) => run.state === 'succeeded').map((run) => run.metric as number);

/**
 * The points the spread is measured over: each distinct value of each distinct idea once. Reruns of a deterministic
 * implementation repeat its value and add nothing; seeds and genuinely different outcomes still count.
 */
export function distinctPoints(entries: Iterable<Entry>): number[] {
  const byIdea = new Map<string, Set<number>>();
  for (const { idea, values } of entries) {
    const seen = byIdea.get(idea) ?? new Set<number>();
    for (const value of values) seen.add(value);
    byIdea.set(idea, seen);
  }
  return [...byIdea.values()].flatMap((values) => [...values]);
}

export function createHistoryCheck(
  experiments: ExperimentHistory,
  options: LearnedRangeOptions,
  implementations?: ImplementationLookup,
): HistoryCheck {
  const histories = new Map<string, Promise<Map<string, Entry>>>();
  const ideas = new Map<string, Promise<string>>();
  const keyOf = (experiment: Experiment): string => `${experiment.environment}\u0000${experiment.profile}`;

  /** The idea an implementation stands for: its stored diff's hash when known, else its id. */
  const ideaOf = (implementationId: string): Promise<string> => {
    let idea = ideas.get(implementationId);
    if (!idea) {
      idea = (implementations?.get(implementationId) ?? Promise.resolve(undefined))
        .then((implementation) => implementation?.integrity?.diff ?? implementation?.diffHash ?? implementationId)
        .catch(() => implementationId);
      ideas.set(implementationId, idea);
    }
    return idea;
  };
  const entryOf = async (experiment: Experiment): Promise<Entry> => ({
    idea: await ideaOf(experiment.implementationId),
    values: succeededMetrics(experiment),
  });

  /** Entries by experiment id, for one environment and profile. */
  const historyOf = (experiment: Experiment): Promise<Map<string, Entry>> => {
    const key = keyOf(experiment);
    let history = histories.get(key);
    if (!history) {
      history = experiments
        .list(
          (e) =>
            e.state === 'succeeded' && e.environment === experiment.environment && e.profile === experiment.profile,
        )
        .then(
          async (earlier) => new Map(await Promise.all(earlier.map(async (e) => [e.id, await entryOf(e)] as const))),
        );
      histories.set(key, history);
    }
    return history;
  };

  return {
    async check(experiment, metric, direction, baseline) {
      const history = await historyOf(experiment);
      const entries = [...history].filter(([id]) => id !== experiment.id).map(([, entry]) => entry);
      const earlier = entries.flatMap((entry) => entry.values);
      return leapsPastHistory(metric, earlier, direction, options, {
        distinct: distinctPoints(entries),
        ...(baseline?.profile === experiment.profile ? { baseline } : {}),
      });
    },
    record(experiment) {
      if (experiment.state !== 'succeeded') return;
      const history = histories.get(keyOf(experiment));
      if (!history) return;
      void Promise.all([history, entryOf(experiment)]).then(([byId, entry]) => byId.set(experiment.id, entry));
    },
  };
}
