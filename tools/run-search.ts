// run_search: start a search (evolutionary or best-of-n) that proposes, implements and runs ideas unattended.
import { z } from 'zod';

import { ScheduleShape, scheduleOutput, SearchShape, searchOutput } from '../src/services/views.js';
import { allStrategies, BEST_OF_N_DEFAULTS, EVOLUTIONARY_DEFAULTS } from '../strategies/index.js';
import { defineTool } from './define-tool.js';
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
    options: z.record(z.string(), z.unknown()).optional().describe('further strategy options, by name'),
    schedule: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('repeat the search: cron ("0 3 * * *", server time) or interval ("6h", "every 30 minutes")'),
  }),
  output: SearchShape.extend({ schedule: ScheduleShape.optional() }),
  async handle({ services, log }, input) {
    const strategy = input.strategy ?? 'evolutionary';
    const request = {
      environment: input.environment,
      strategy,
      options: strategyOptions({ ...input, strategy }),
      profile: input.profile,
      seed: input.seed,
    };
    if (input.schedule !== undefined) {
      const { schedule, search } = await services.scheduleSearch({ ...request, schedule: input.schedule });
      log.info(`schedule ${schedule.id} (${schedule.schedule}) started search ${search.id}`, { strategy });
      return { ...searchOutput(search), schedule: scheduleOutput(schedule) };
    }
    const search = await services.startSearch(request);
    log.info(`search ${search.id} started`, { strategy, environment: input.environment });
    return searchOutput(search);
  },
  render(output) {
    const recurring = output.schedule
      ? `\nschedule ${output.schedule.schedule_id} (${output.schedule.schedule}) repeats it; stop with cancel_schedule.`
      : '';
    return `${searchText(output)}${recurring}\nFollow it with get_search { search_id: "${output.search_id}", wait_seconds: 30 }; stop it with cancel_search.`;
  },
});
