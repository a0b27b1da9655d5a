// Turn per-seed metric values into a reward summary: mean, spread, direction-aware reward, baseline comparison.
import { isBetter, type MetricSpec, rewardOf } from '../domain/metric.js';
import type { Experiment, RewardSummary } from '../domain/records.js';
import type { Baseline, Manifest } from '../environments/manifest.js';

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample standard deviation; 0 for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const average = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1));
}

export function summarizeReward(values: readonly number[], metric: MetricSpec, baseline?: Baseline): RewardSummary {
  if (values.length === 0) throw new RangeError('summarizeReward needs at least one value');
  const value = mean(values);
  const summary: RewardSummary = {
    metric: {
      name: metric.name,
      value,
      direction: metric.direction,
      std: sampleStd(values),
      seeds: values.length,
      ...(metric.selfReported ? { selfReported: true } : {}),
    },
    reward: rewardOf(value, metric),
  };
  if (baseline) {
    summary.baseline = {
      value: baseline.value,
      std: baseline.std,
      delta: value - baseline.value,
      improved: isBetter(value, baseline.value, metric.direction),
      beyondNoise: Math.abs(value - baseline.value) > 2 * baseline.std,
      profile: baseline.profile,
    };
  }
  return summary;
}

/**
 * The one place an experiment's reward is decided, when it ends: the summary of its succeeded runs under the
 * manifest's metric, compared with the baseline when that was measured with the experiment's profile. Undefined
 * when no run succeeded. Everything that shows a reward reads what this stored on the experiment.
 */
export function experimentResult(
  experiment: Pick<Experiment, 'runs' | 'profile'>,
  manifest: Pick<Manifest, 'metric' | 'baseline'>,
): RewardSummary | undefined {
  const values = experiment.runs.filter((run) => run.state === 'succeeded').map((run) => run.metric as number);
  if (values.length === 0) return undefined;
  // A baseline measured under another profile (e.g. default vs smoke) is not comparable.
  const baseline = manifest.baseline?.profile === experiment.profile ? manifest.baseline : undefined;
  const summary = summarizeReward(values, manifest.metric, baseline);
  if (seedInsensitive(values, manifest.baseline)) {
    summary.seedInsensitive = true;
    summary.certifiable = false;
  }
  return summary;
}

/**
 * Seeds that change nothing where the environment's baseline shows they should: two or more identical values while
 * the baseline (under any profile) has spread. The code likely ignores `GROUNDWORK_SEED`.
 */
export function seedInsensitive(values: readonly number[], baseline: Pick<Baseline, 'std'> | undefined): boolean {
  return (baseline?.std ?? 0) > 0 && values.length >= 2 && values.every((value) => value === values[0]);
}

/** Whether a result may be certified: no integrity flag stands against it. */
export function isCertifiable(result: Pick<RewardSummary, 'certifiable'> | undefined): boolean {
  return result !== undefined && result.certifiable !== false;
}

/** Outside the plausible range → the reason, else undefined. */
export function implausible(value: number, range: { min?: number; max?: number } | undefined): string | undefined {
  if (!range) return undefined;
  if (range.min !== undefined && value < range.min)
    return `metric ${value} is below the plausible minimum ${range.min}`;
  if (range.max !== undefined && value > range.max)
    return `metric ${value} is above the plausible maximum ${range.max}`;
  return undefined;
}
