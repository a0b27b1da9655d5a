// The history check applied to each result: earlier succeeded runs of the same environment and profile, read from
// the store once per environment and profile, then kept up to date as experiments succeed.
import type { Direction } from '../domain/metric.js';
import type { Experiment } from '../domain/records.js';
import { type LearnedRangeOptions, leapsPastHistory } from './learned-range.js';

/** What the check reads of the store: its experiments (the store's `experiments` repository fits). */
export interface ExperimentHistory {
  list(filter?: (experiment: Experiment) => boolean): Promise<Experiment[]>;
}

export interface HistoryCheck {
  /** Why `metric` is implausible for the experiment's environment and profile, or undefined. */
  check(experiment: Experiment, metric: number, direction: Direction): Promise<string | undefined>;
  /** Adds a succeeded experiment's run metrics to the history (call on every experiment update). */
  record(experiment: Experiment): void;
}

const succeededMetrics = (experiment: Experiment): number[] =>
  experiment.runs.filter((run) => run.state === 'succeeded').map((run) => run.metric as number);

export function createHistoryCheck(experiments: ExperimentHistory, options: LearnedRangeOptions): HistoryCheck {
  const histories = new Map<string, Promise<Map<string, number[]>>>();
  const keyOf = (experiment: Experiment): string => `${experiment.environment}\u0000${experiment.profile}`;

  /** Metrics by experiment id, for one environment and profile. */
  const historyOf = (experiment: Experiment): Promise<Map<string, number[]>> => {
    const key = keyOf(experiment);
    let history = histories.get(key);
    if (!history) {
      history = experiments
        .list(
          (e) =>
            e.state === 'succeeded' && e.environment === experiment.environment && e.profile === experiment.profile,
        )
        .then((earlier) => new Map(earlier.map((e) => [e.id, succeededMetrics(e)])));
      histories.set(key, history);
    }
    return history;
  };

  return {
    async check(experiment, metric, direction) {
      const history = await historyOf(experiment);
      const earlier = [...history].filter(([id]) => id !== experiment.id).flatMap(([, values]) => values);
      return leapsPastHistory(metric, earlier, direction, options);
    },
    record(experiment) {
      if (experiment.state !== 'succeeded') return;
      const history = histories.get(keyOf(experiment));
      void history?.then((byId) => byId.set(experiment.id, succeededMetrics(experiment)));
    },
  };
}
