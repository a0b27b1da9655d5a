// The runner's own search options (mode, control arm, certification, budgets), separated from the strategy's.
import { z } from 'zod';

import { ResearchError } from '../domain/errors.js';

export const SearchMode = z.enum(['steady', 'epochs']);
export type SearchMode = z.infer<typeof SearchMode>;

export const DEFAULT_CERTIFY_SEEDS = 2;

/** Options every strategy shares, kept on the search record beside the strategy's own. */
export const RunnerOptions = z.object({
  /** `steady` (default): ideas are prepared while experiments run; `epochs`: the paper's synchronous batches. */
  mode: SearchMode.default('steady'),
  /** Runs a best-of-n control arm interleaved with the search, with the same ideator and idea budget. */
  control: z.literal('best-of-n').optional(),
  /** Extra seeds a candidate that beats the best on its first seed is re-run on before it is reported best. */
  certifySeeds: z.number().int().min(0).max(9).default(DEFAULT_CERTIFY_SEEDS),
  /** Candidate ideas at most (the control arm gets as many again). */
  maxIdeas: z.number().int().min(1).max(10_000).optional(),
  budgetUsd: z.number().positive().optional(),
  budgetGpuHours: z.number().positive().optional(),
  /** Wall-clock hours since the search was created. */
  budgetHours: z.number().positive().optional(),
});
export type RunnerOptions = z.output<typeof RunnerOptions>;

const RUNNER_KEYS = Object.keys(RunnerOptions.shape);

/** Splits `options` into the runner's (validated, with defaults) and the strategy's own. */
export function takeRunnerOptions(options: Record<string, unknown> | undefined): {
  runner: RunnerOptions;
  strategyOptions: Record<string, unknown>;
} {
  const runnerInput: Record<string, unknown> = {};
  const strategyOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (RUNNER_KEYS.includes(key)) runnerInput[key] = value;
    else strategyOptions[key] = value;
  }
  const parsed = RunnerOptions.safeParse(runnerInput);
  if (!parsed.success) {
    throw new ResearchError('bad_input', `invalid search options:\n${z.prettifyError(parsed.error)}`);
  }
  return { runner: parsed.data, strategyOptions };
}

/** The runner's options as stored on a search (older searches lack most of them: defaults apply, mode epochs). */
export function storedRunnerOptions(options: Record<string, unknown>): RunnerOptions {
  const { runner } = takeRunnerOptions({ mode: 'epochs', ...options });
  return runner;
}
