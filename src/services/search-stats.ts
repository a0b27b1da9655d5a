// Per-search arithmetic shared by the runner and the report: experiment ids per idea and role, seed statistics,
// certification, GPU-hours. Reads the store only.
import { rewardOf, type MetricSpec } from '../domain/metric.js';
import type { Experiment, ExperimentRole } from '../domain/records.js';
import { DEFAULT_PROFILE } from '../environments/manifest.js';
import type { Store } from '../store/store.js';

/** The one id an idea's experiment of a role can have: queuing it twice finds the first (exactly once). */
export function experimentIdFor(ideaId: string, role: ExperimentRole): string {
  return `exp_${ideaId.startsWith('idea_') ? ideaId.slice(5) : ideaId}-${role}`;
}

/** The role of an experiment of a search (records written before roles existed are candidates). */
export function roleOf(experiment: Experiment): ExperimentRole {
  return experiment.role ?? 'candidate';
}

export interface SeedStats {
  metricMean: number;
  metricStd: number;
  seeds: number;
  rewardMean: number;
  /** Re-run on more seeds, every one succeeded, and (with a baseline) still better than it. */
  certified: boolean;
  /** A certification experiment is queued or running. */
  pending: boolean;
}

/** A result flagged as insensitive to its seed (another check sets it) cannot be certified by more seeds. */
function certifiable(experiment: Experiment): boolean {
  const result = experiment.result as { certifiable?: boolean; seedInsensitive?: boolean } | undefined;
  return result?.certifiable !== false && result?.seedInsensitive !== true;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

/** Sample standard deviation (0 for fewer than two values). */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1));
}

function seedMetrics(experiment: Experiment | undefined): number[] {
  if (!experiment || experiment.state !== 'succeeded') return [];
  return experiment.runs
    .filter((run) => run.state === 'succeeded' && typeof run.metric === 'number')
    .map((run) => run.metric as number);
}

/**
 * The baseline's reward as the bar for results of `profile`; undefined when the baseline was measured on another
 * profile (a smoke run's loss never beats a full run's, so that bar would hold back every candidate).
 */
export function baselineRewardFor(
  manifest: { metric: MetricSpec; baseline?: { value: number; profile: string } | undefined },
  profile: string | undefined,
): number | undefined {
  const { baseline, metric } = manifest;
  return baseline !== undefined && baseline.profile === (profile ?? DEFAULT_PROFILE)
    ? rewardOf(baseline.value, metric)
    : undefined;
}

/** A succeeded candidate over all its seeds: its own first seed plus its certification's. */
export function seedStats(
  candidate: Experiment,
  certification: Experiment | undefined,
  metric: MetricSpec,
  baselineReward: number | undefined,
): SeedStats | undefined {
  const first = seedMetrics(candidate);
  if (first.length === 0) return undefined;
  const more = seedMetrics(certification);
  const values = [...first, ...more];
  const metricMean = mean(values);
  const rewardMean = rewardOf(metricMean, metric);
  const certified =
    certification?.state === 'succeeded' &&
    more.length > 0 &&
    certification.runs.every((run) => run.state === 'succeeded') &&
    certifiable(candidate) &&
    certifiable(certification) &&
    (baselineReward === undefined || rewardMean > baselineReward);
  return {
    metricMean,
    metricStd: std(values),
    seeds: values.length,
    rewardMean,
    certified,
    pending: certification !== undefined && (certification.state === 'queued' || certification.state === 'running'),
  };
}

/** GPU-hours the search's experiments have used: each run's time × the devices it held (at least one). */
export async function searchGpuHours(store: Store, searchId: string): Promise<number> {
  return gpuHoursOf(await store.experiments.view((e) => e.searchId === searchId));
}

/** GPU-hours of these experiments (runs still going count up to `now`). */
export function gpuHoursOf(experiments: readonly Experiment[], now = Date.now()): number {
  let hours = 0;
  for (const experiment of experiments) {
    const devices = Math.max(1, experiment.devices?.length ?? 0);
    for (const run of experiment.runs) {
      if (!run.startedAt) continue;
      const end = run.endedAt ? Date.parse(run.endedAt) : now;
      hours += (Math.max(0, end - Date.parse(run.startedAt)) / 3_600_000) * devices;
    }
  }
  return hours;
}
