// The history check the scheduler applies to each result: earlier succeeded runs of the same environment and profile.
import type { Experiment } from '../domain/records.js';
import type { EnvironmentRegistry } from '../environments/registry.js';
import { type LearnedRangeOptions, leapsPastHistory } from '../reward/learned-range.js';
import type { Store } from '../store/store.js';

export function historyCheck(
  store: Store,
  environments: EnvironmentRegistry,
  options: LearnedRangeOptions,
): (experiment: Experiment, metric: number) => Promise<string | undefined> {
  return async (experiment, metric) => {
    const environment = await environments.get(experiment.environment);
    const earlier = await store.experiments.list(
      (e) =>
        e.state === 'succeeded' &&
        e.environment === experiment.environment &&
        e.profile === experiment.profile &&
        e.id !== experiment.id,
    );
    const history = earlier.flatMap((e) =>
      e.runs.filter((run) => run.state === 'succeeded').map((run) => run.metric as number),
    );
    return leapsPastHistory(metric, history, environment.manifest.metric.direction, options);
  };
}
