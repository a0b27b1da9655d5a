// The wire views of the records (snake_case, no executor handles or host paths), shared by MCP tools and /api.
import { z } from 'zod';

import type { Experiment, Idea, Schedule, Search } from '../domain/records.js';
import { ExperimentState, FailureCategory, ScheduleState, SearchState } from '../domain/states.js';
import { protectedGlobs } from '../environments/environment-files.js';
import type { Environment, EnvironmentListing } from '../environments/registry.js';
import type { LeaderboardRow } from './leaderboard.js';

const id = (what: string) => z.string().describe(what);

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
  self_reported: z
    .boolean()
    .optional()
    .describe(
      'true when the code being edited printed the value (read from its training log): no frozen harness measured it',
    ),
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
  category: FailureCategory.describe('why it failed'),
  message: z.string(),
  log_tail: z.string().describe('the last lines of the log'),
});

export const RewardShape = z.object({
  experiment_id: z.string(),
  status: ExperimentState,
  environment: z.string(),
  idea_id: z.string(),
  implementation_id: z.string(),
  profile: z.string(),
  search_id: z.string().optional(),
  reward: z.number().optional().describe('higher is better, whatever the metric direction (1/loss for losses)'),
  metric: MetricShape.optional(),
  baseline: BaselineShape.optional(),
  failure: FailureShape.optional(),
  sandbox: z
    .literal('off')
    .optional()
    .describe(
      'present when the jobs ran without the local sandbox (executor.local.sandbox "off"): the result may be gamed',
    ),
  seed_insensitive: z
    .boolean()
    .optional()
    .describe('true when its seeds gave identical metrics although the baseline varies with the seed: seeds ignored'),
  certifiable: z
    .boolean()
    .optional()
    .describe('false when an integrity flag (seed_insensitive) means the result may not be certified'),
  runs: z.array(
    z
      .object({ seed: z.number().int(), status: ExperimentState, metric: z.number().optional() })
      .describe('one per seed'),
  ),
  updated_at: z.string(),
});

/** An experiment in a list: its reward view without the per-seed runs. */
export const RewardSummaryShape = RewardShape.omit({ runs: true });

export const SearchShape = z.object({
  search_id: z.string(),
  status: SearchState,
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
  status: ScheduleState,
  environment: z.string(),
  strategy: z.string(),
  search_ids: z.array(z.string()).describe('the searches it has started, oldest first'),
  last_tick_at: z.string().optional(),
});

export const LeaderboardRowShape = z.object({
  rank: z.number().int(),
  experiment_id: z.string(),
  idea_id: z.string(),
  title: z.string(),
  status: ExperimentState,
  metric: z.number().optional(),
  std: z.number().optional(),
  reward: z.number().optional(),
  delta: z.number().optional().describe('metric minus baseline'),
  improved: z.boolean().optional(),
  beyond_noise: z.boolean().optional(),
  self_reported: z
    .boolean()
    .optional()
    .describe(
      'true when the code being edited printed the value (read from its training log): no frozen harness measured it',
    ),
  failure: z.string().optional(),
  seeds: z.number().int().optional().describe('seeds the result stands on (a certification run included)'),
  certified: z
    .boolean()
    .optional()
    .describe('true once more seeds confirmed it beats the best; false marks a single-seed (or unconfirmed) result'),
});

export const EnvironmentShape = z.object({
  name: z.string(),
  description: z.string(),
  editable: z.array(z.string()).describe('globs of the files an edit may change'),
  frozen: z.array(z.string()).describe('globs an edit may never touch (harness, data, launch files)'),
  metric: z.object({
    name: z.string(),
    direction: z.enum(['min', 'max']),
    self_reported: z.boolean().optional().describe('true when the metric is read from the log the edited code prints'),
  }),
  baseline: z
    .object({ value: z.number(), std: z.number(), runs: z.number().int(), profile: z.string() })
    .nullable()
    .describe('the unmodified code, measured; null when not recorded'),
  resources: z.object({
    gpus: z.number().int(),
    cpus: z.number(),
    memory_gib: z.number(),
    time_limit_sec: z.number().int(),
  }),
  profiles: z.array(z.string()).describe('run_experiment profiles besides "default" (e.g. smoke: a cheap check)'),
  knobs: z.array(z.string()).describe('named tunable values the offline ideator moves'),
  held_out: z
    .array(z.string())
    .optional()
    .describe('globs of held-out files: they exist but are sealed (read only by the frozen evaluation, never served)'),
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
            self_reported: metric.selfReported ? true : undefined,
          })
        : undefined,
    baseline: result?.baseline
      ? defined({
          value: result.baseline.value,
          std: result.baseline.std,
          delta: result.baseline.delta,
          improved: result.baseline.improved,
          beyond_noise: result.baseline.beyondNoise,
          profile: result.baseline.profile,
        })
      : undefined,
    failure: experiment.failure
      ? {
          category: experiment.failure.category,
          message: experiment.failure.message,
          log_tail: experiment.failure.logTail,
        }
      : undefined,
    seed_insensitive: result?.seedInsensitive,
    certifiable: result?.certifiable,
    sandbox: experiment.sandbox,
    runs: experiment.runs.map((run) => defined({ seed: run.seed, status: run.state, metric: finite(run.metric) })),
    updated_at: experiment.updatedAt,
  });
}

export function rewardSummaryOutput(experiment: Experiment): z.output<typeof RewardSummaryShape> {
  const summary: Partial<z.output<typeof RewardShape>> = rewardOutput(experiment);
  delete summary.runs;
  return summary as z.output<typeof RewardSummaryShape>;
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
    self_reported: row.selfReported ? true : undefined,
    failure: row.failure,
    seeds: row.seeds,
    certified: row.certified,
  });
}

export function environmentOutput(environment: Environment): z.output<typeof EnvironmentShape> {
  const { manifest } = environment;
  return {
    name: manifest.name,
    description: manifest.description,
    editable: manifest.editable,
    frozen: [...new Set(protectedGlobs(environment))],
    metric: {
      name: manifest.metric.name,
      direction: manifest.metric.direction,
      ...(manifest.metric.selfReported ? { self_reported: true } : {}),
    },
    baseline: manifest.baseline
      ? {
          value: manifest.baseline.value,
          std: manifest.baseline.std,
          runs: manifest.baseline.runs,
          profile: manifest.baseline.profile,
        }
      : null,
    resources: {
      gpus: manifest.resources.gpus,
      cpus: manifest.resources.cpus,
      memory_gib: manifest.resources.memoryGiB,
      time_limit_sec: manifest.resources.timeLimitSec,
    },
    profiles: Object.keys(manifest.profiles),
    knobs: Object.keys(manifest.knobs),
    ...(manifest.heldOut.length > 0 ? { held_out: manifest.heldOut } : {}),
  };
}

export const EnvironmentListingShape = z.object({
  environments: z.array(EnvironmentShape),
  invalid: z
    .array(z.object({ dir: z.string(), error: z.string() }))
    .describe('environment folders whose manifest is broken; they cannot be used'),
});

export function environmentListingOutput(listing: EnvironmentListing): z.output<typeof EnvironmentListingShape> {
  return {
    environments: listing.environments.map(environmentOutput),
    invalid: listing.invalid.map(({ dir, error }) => ({ dir, error: error.message })),
  };
}
