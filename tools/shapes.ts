// Output shapes shared by several tools (snake_case on the wire) and the conversions from stored records.
import { z } from 'zod';

import type { Experiment, Idea, Schedule, Search } from '../src/domain/records.js';
import type { LeaderboardRow } from '../src/services/leaderboard.js';

const id = (what: string) => z.string().describe(what);

export const ExperimentStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export const SearchStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled']);

export const IdeaShape = z.object({
  id: id('idea id, for implement_idea and parent_ids'),
  title: z.string(),
  text: z.string().describe('the proposal: what to try and which code to change'),
  environment: z.string(),
  parent_ids: z.array(z.string()),
  origin: z.object({ provider: z.string(), model: z.string(), kind: z.string() }),
  knobs: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  epoch: z.number().int().optional(),
  search_id: z.string().optional(),
});

export const MetricShape = z.object({
  name: z.string(),
  value: z.number(),
  direction: z.enum(['min', 'max']).describe('min: lower is better; max: higher is better'),
  std: z.number().optional().describe('standard deviation over seeds'),
  seeds: z.number().int().optional(),
});

export const BaselineShape = z.object({
  value: z.number(),
  std: z.number(),
  delta: z.number().describe('metric minus baseline'),
  improved: z.boolean().describe('true when the metric beats the baseline in its direction'),
  beyond_noise: z
    .boolean()
    .optional()
    .describe('true when the difference exceeds twice the baseline’s seed spread (not explained by seed noise)'),
  profile: z
    .string()
    .optional()
    .describe('profile the baseline was measured with; a run with another profile is not comparable'),
});

export const FailureShape = z.object({
  category: z.string().describe('edit_refused, preflight_failed, crashed, timeout, oom, nan, no_result, cancelled, …'),
  message: z.string(),
  log_tail: z.string().describe('the last lines of the log'),
});

export const RewardShape = z.object({
  experiment_id: z.string(),
  status: ExperimentStatus,
  environment: z.string(),
  idea_id: z.string(),
  implementation_id: z.string(),
  profile: z.string(),
  search_id: z.string().optional(),
  reward: z.number().optional().describe('higher is better, whatever the metric direction (1/loss for losses)'),
  metric: MetricShape.optional(),
  baseline: BaselineShape.optional(),
  failure: FailureShape.optional(),
  runs: z.array(
    z
      .object({ seed: z.number().int(), status: ExperimentStatus, metric: z.number().optional() })
      .describe('one per seed'),
  ),
  updated_at: z.string(),
});

export const SearchShape = z.object({
  search_id: z.string(),
  status: SearchStatus,
  environment: z.string(),
  strategy: z.string(),
  options: z.record(z.string(), z.unknown()),
  epoch: z.number().int(),
  experiments: z.number().int().describe('experiments queued so far'),
  error: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const ScheduleShape = z.object({
  schedule_id: z.string(),
  schedule: z.string().describe('cron expression or interval'),
  status: z.enum(['active', 'cancelled']),
  environment: z.string(),
  strategy: z.string(),
  search_ids: z.array(z.string()).describe('the searches it has started, oldest first'),
  last_tick_at: z.string().optional(),
});

export function scheduleOutput(schedule: Schedule): z.output<typeof ScheduleShape> {
  return defined({
    schedule_id: schedule.id,
    schedule: schedule.schedule,
    status: schedule.state,
    environment: schedule.environment,
    strategy: schedule.strategy,
    search_ids: schedule.searchIds,
    last_tick_at: schedule.lastTickAt,
  });
}

export const LeaderboardRowShape = z.object({
  rank: z.number().int(),
  experiment_id: z.string(),
  idea_id: z.string(),
  title: z.string(),
  status: ExperimentStatus,
  metric: z.number().optional(),
  std: z.number().optional(),
  reward: z.number().optional(),
  delta: z.number().optional().describe('metric minus baseline'),
  improved: z.boolean().optional(),
  beyond_noise: z.boolean().optional(),
  failure: z.string().optional(),
});

/** JSON cannot carry NaN or ±Infinity: leave such numbers out. */
function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

export function ideaOutput(idea: Idea): z.output<typeof IdeaShape> {
  return defined({
    id: idea.id,
    title: idea.title,
    text: idea.text,
    environment: idea.environment,
    parent_ids: idea.parentIds,
    origin: { provider: idea.origin.provider, model: idea.origin.model, kind: idea.origin.kind },
    knobs: idea.knobs,
    epoch: idea.epoch,
    search_id: idea.searchId,
  });
}

export function rewardOutput(experiment: Experiment): z.output<typeof RewardShape> {
  const result = experiment.result;
  const metric = result?.metric;
  return defined({
    experiment_id: experiment.id,
    status: experiment.state,
    environment: experiment.environment,
    idea_id: experiment.ideaId,
    implementation_id: experiment.implementationId,
    profile: experiment.profile,
    search_id: experiment.searchId,
    reward: finite(result?.reward),
    metric:
      metric && finite(metric.value) !== undefined
        ? defined({
            name: metric.name,
            value: metric.value,
            direction: metric.direction,
            std: finite(metric.std),
            seeds: metric.seeds,
          })
        : undefined,
    baseline: result?.baseline
      ? defined({
          value: result.baseline.value,
          std: result.baseline.std,
          delta: result.baseline.delta,
          improved: result.baseline.improved,
          beyond_noise: result.baseline.beyondNoise,
        })
      : undefined,
    failure: experiment.failure
      ? {
          category: experiment.failure.category,
          message: experiment.failure.message,
          log_tail: experiment.failure.logTail,
        }
      : undefined,
    runs: experiment.runs.map((run) => defined({ seed: run.seed, status: run.state, metric: finite(run.metric) })),
    updated_at: experiment.updatedAt,
  });
}

export function searchOutput(search: Search): z.output<typeof SearchShape> {
  return defined({
    search_id: search.id,
    status: search.state,
    environment: search.environment,
    strategy: search.strategy,
    options: search.options,
    epoch: search.epoch,
    experiments: search.experimentIds.length,
    error: search.error,
    created_at: search.createdAt,
    updated_at: search.updatedAt,
  });
}

export function leaderboardOutput(row: LeaderboardRow): z.output<typeof LeaderboardRowShape> {
  return defined({
    rank: row.rank,
    experiment_id: row.experimentId,
    idea_id: row.ideaId,
    title: row.title,
    status: row.state,
    metric: finite(row.metric),
    std: finite(row.std),
    reward: finite(row.reward),
    delta: finite(row.delta),
    improved: row.improved,
    beyond_noise: row.beyondNoise,
    failure: row.failure,
  });
}
