// run_search: start a search (evolutionary or best-of-n) that proposes, implements and runs ideas unattended.
import { z } from 'zod';

import { ScheduleShape, scheduleOutput, SearchShape, searchOutput } from '../src/services/views.js';
import { allStrategies, BEST_OF_N_DEFAULTS, EVOLUTIONARY_DEFAULTS } from '../strategies/index.js';
import { ConfirmInput, confirmSpend } from './confirm-spend.js';
import { defineTool, type ToolContext } from './define-tool.js';
import { searchGuide, searchLinks } from './guides.js';
import { searchText } from './text.js';

/** The options each strategy takes, from the tool's common arguments (each strategy maps them, with its defaults). */
export function strategyOptions(input: {
  strategy: string;
  epochs?: number;
  batch_size?: number;
  budget?: number;
  options?: Record<string, unknown>;
}): Record<string, unknown> {
  const options: Record<string, unknown> = { ...input.options };
  // An unknown strategy is refused by the search runner, with the known names.
  const strategy = Object.hasOwn(allStrategies, input.strategy) ? allStrategies[input.strategy] : undefined;
  if (!strategy) return options;
  return strategy.fromSettings({ epochs: input.epochs, batchSize: input.batch_size, budget: input.budget }, options);
}

/** Experiments a search will run at most, from its strategy's options (undefined when they do not parse). */
function plannedExperiments(strategy: string, options: Record<string, unknown>): number | undefined {
  const known = Object.hasOwn(allStrategies, strategy) ? allStrategies[strategy] : undefined;
  const parsed = known?.options.safeParse(options);
  if (!parsed?.success) return undefined; // the search runner refuses it, with the reason
  const data = parsed.data as { n?: number; epochs?: number; batchSize?: number; budget?: number };
  const planned = data.n ?? (data.epochs ?? 1) * (data.batchSize ?? 1);
  return data.budget !== undefined ? Math.min(planned, data.budget) : planned;
}

/** A search whose estimated cost is over config.confirm starts only once the user (or `confirm: true`) agrees. */
async function confirmSearch(
  context: ToolContext,
  request: { environment: string; strategy: string; options: Record<string, unknown>; profile?: string },
  input: { confirm?: boolean; schedule?: string },
): Promise<void> {
  const { budgetUsd, ...options } = request.options;
  const experiments = plannedExperiments(request.strategy, options);
  if (experiments === undefined) return;
  const estimate = await context.services.estimateCost({
    environment: request.environment,
    profile: request.profile,
    seeds: 1,
    experiments,
    modelCalls: true,
    ...(typeof budgetUsd === 'number' ? { budgetUsd } : {}),
  });
  const what = `a ${request.strategy} search on ${request.environment}${input.schedule !== undefined ? ` (repeating "${input.schedule}", per run)` : ''}`;
  await confirmSpend(context, estimate, input.confirm, what);
}

/** The runner's options (mode, control arm, certification, budgets) from the tool's arguments. */
export function runnerOptions(input: {
  mode?: string;
  control?: string;
  certify_seeds?: number;
  max_ideas?: number;
  budget_usd?: number;
  budget_gpu_hours?: number;
  budget_hours?: number;
}): Record<string, unknown> {
  const entries = {
    mode: input.mode,
    control: input.control,
    certifySeeds: input.certify_seeds,
    maxIdeas: input.max_ideas,
    budgetUsd: input.budget_usd,
    budgetGpuHours: input.budget_gpu_hours,
    budgetHours: input.budget_hours,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

export const runSearch = defineTool({
  name: 'run_search',
  title: 'Start a search',
  description:
    'Starts a search that runs unattended: each epoch proposes a batch of ideas (seeds first, then variants of what beat the baseline and new directions), implements and runs them, and learns from the rewards. Returns a search_id at once; follow it with get_search (its leaderboard) and stop it with cancel_search. Strategies: "evolutionary" (default; epochs × batch_size experiments) and "best-of-n" (budget independent ideas, the control arm). With schedule (a cron expression such as "0 3 * * *", or an interval such as "6h"), the search also recurs: the first run starts now and a new one starts on every tick unless the previous one is still running; cancel_schedule stops it.',
  kind: 'generate',
  input: z.object({
    environment: z.string().min(1).max(100).describe('environment name from list_environments'),
    strategy: z.string().min(1).max(100).optional().describe('"evolutionary" (default) or "best-of-n"'),
    epochs: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe(`evolutionary: number of epochs (default ${EVOLUTIONARY_DEFAULTS.epochs})`),
    batch_size: z
      .number()
      .int()
      .min(1)
      .max(200)
      .optional()
      .describe(
        `ideas per epoch or batch (default ${EVOLUTIONARY_DEFAULTS.batchSize} / ${BEST_OF_N_DEFAULTS.batchSize})`,
      ),
    budget: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('most experiments to run: caps epochs × batch_size (evolutionary) or sets n (best-of-n)'),
    profile: z.string().min(1).max(100).optional().describe('environment profile for every run (default "default")'),
    seed: z.number().int().min(0).max(1_000_000).optional().describe('seed of the search (default 1)'),
    mode: z
      .enum(['steady', 'epochs'])
      .optional()
      .describe(
        '"steady" (default): ideas prepared while experiments run, no idle slot; "epochs": synchronous batches',
      ),
    control: z.literal('best-of-n').optional().describe('run a best-of-n control arm interleaved, to report lift'),
    certify_seeds: z
      .number()
      .int()
      .min(0)
      .max(9)
      .optional()
      .describe('extra seeds a new best is re-run on (default 2)'),
    max_ideas: z.number().int().min(1).max(10_000).optional().describe('budget: candidate ideas at most'),
    budget_usd: z.number().positive().optional().describe('budget: dollars of model calls'),
    budget_gpu_hours: z.number().positive().optional().describe('budget: GPU-hours of experiments'),
    budget_hours: z.number().positive().optional().describe('budget: wall-clock hours'),
    options: z.record(z.string(), z.unknown()).optional().describe('further strategy options, by name'),
    schedule: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        'repeat the search: cron ("0 3 * * *", server time) or interval ("6h", "every 30 minutes"); at most once a minute',
      ),
    confirm: ConfirmInput,
  }),
  output: SearchShape.extend({ schedule: ScheduleShape.optional() }),
  async handle(context, input) {
    const { services, log } = context;
    const strategy = input.strategy ?? 'evolutionary';
    const request = {
      environment: input.environment,
      strategy,
      options: { ...strategyOptions({ ...input, strategy }), ...runnerOptions(input) },
      profile: input.profile,
      seed: input.seed,
    };
    await confirmSearch(context, request, input);
    if (input.schedule !== undefined) {
      const { schedule, search } = await services.scheduleSearch({ ...request, schedule: input.schedule });
      log.info(`schedule ${schedule.id} (${schedule.schedule}) started search ${search.id}`, { strategy });
      return { ...searchOutput(search), schedule: scheduleOutput(schedule) };
    }
    const search = await services.startSearch(request);
    log.info(`search ${search.id} started`, { strategy, environment: input.environment });
    return searchOutput(search);
  },
  summarize: (output) =>
    output.schedule
      ? {
          ...searchGuide(output),
          summary: `${searchGuide(output).summary} Schedule ${output.schedule.schedule_id} ("${output.schedule.schedule}") starts it again on every tick; cancel_schedule stops that.`,
        }
      : searchGuide(output),
  links: (output) => searchLinks(output.search_id),
  render(output) {
    const recurring = output.schedule
      ? `\nschedule ${output.schedule.schedule_id} (${output.schedule.schedule}) repeats it; stop with cancel_schedule.`
      : '';
    return `${searchText(output)}${recurring}\nFollow it with get_search { search_id: "${output.search_id}", wait_seconds: 30 }; stop it with cancel_search.`;
  },
});
