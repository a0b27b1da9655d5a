// Estimated cost of an experiment or a search before it starts: GPU-hours and model dollars, against config.confirm.
import { DEFAULT_PROFILE } from '../environments/manifest.js';
import { DEFAULT_PRICES } from '../config/llm-schema.js';
import type { LlmProviderKind } from '../config/llm-schema.js';
import { priceOf } from '../llm/prices.js';
import type { ServiceDeps } from './deps.js';
import { requireProfile } from './experiments.js';

/**
 * Tokens one idea costs, roughly: a share of an ideation call plus an implementer's samples, each reading the code
 * and writing an edit. Deliberately generous: the estimate only decides whether to ask before starting.
 */
const IDEATION_TOKENS = { input: 6_000, output: 1_500 };
const IMPLEMENT_SAMPLE_TOKENS = { input: 12_000, output: 3_000 };

export interface CostEstimate {
  /** Experiments (one per idea) and seed runs counted. */
  experiments: number;
  runs: number;
  /** GPU-hours at most: GPUs × time limit × runs (runs usually end sooner). */
  gpuHours: number;
  /** Model dollars from the price table; 0 for the offline provider and client sampling. */
  usd: number;
  /** Models without a price in the table (counted as $0). */
  unpriced: string[];
  /** The configured thresholds (config.confirm) and whether the estimate is over either. */
  thresholds: { gpuHours: number; usd: number };
  needsConfirmation: boolean;
  /** One sentence: the numbers and how they were reached. */
  text: string;
}

export interface EstimateInput {
  environment: string;
  profile?: string;
  /** Seed runs per experiment. */
  seeds: number;
  /** Experiments to run. */
  experiments: number;
  /** Whether each experiment first has an idea proposed and implemented by the configured models. */
  modelCalls: boolean;
  /** A search's own dollar cap (options.budgetUsd), which bounds the model dollars. */
  budgetUsd?: number;
}

const PAID: readonly LlmProviderKind[] = ['openai', 'anthropic'];

function modelDollars(deps: ServiceDeps, ideas: number): { usd: number; unpriced: string[] } {
  const { llm } = deps.config;
  const prices = { ...DEFAULT_PRICES, ...llm.prices };
  const unpriced: string[] = [];
  let usd = 0;
  const role = (provider: LlmProviderKind | undefined, model: string | undefined, tokens: typeof IDEATION_TOKENS) => {
    if (!PAID.includes(provider ?? llm.provider)) return;
    const name = model ?? llm.model;
    const price = name === undefined ? undefined : priceOf(name, prices);
    if (!price) {
      if (name !== undefined && !unpriced.includes(name)) unpriced.push(name);
      return;
    }
    usd += (ideas * (tokens.input * price.inputPerMTok + tokens.output * price.outputPerMTok)) / 1_000_000;
  };
  role(llm.ideator.provider, llm.ideator.model, IDEATION_TOKENS);
  const samples = llm.implementer.samples * (1 + llm.implementer.revisions);
  role(llm.implementer.provider, llm.implementer.model, {
    input: IMPLEMENT_SAMPLE_TOKENS.input * samples,
    output: IMPLEMENT_SAMPLE_TOKENS.output * samples,
  });
  return { usd, unpriced };
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export async function estimateCost(deps: ServiceDeps, input: EstimateInput): Promise<CostEstimate> {
  const environment = await deps.environments.get(input.environment);
  const profile = input.profile ?? DEFAULT_PROFILE;
  const { resources } = requireProfile(environment.manifest, profile);
  const runs = input.experiments * input.seeds;
  const gpuHours = round((resources.gpus * resources.timeLimitSec * runs) / 3600, 3);
  const models = input.modelCalls ? modelDollars(deps, input.experiments) : { usd: 0, unpriced: [] };
  const usd = round(input.budgetUsd !== undefined ? Math.min(models.usd, input.budgetUsd) : models.usd, 2);
  const thresholds = { gpuHours: deps.config.confirm.gpuHours, usd: deps.config.confirm.usd };
  const needsConfirmation = gpuHours > thresholds.gpuHours || usd > thresholds.usd;
  const text =
    `about ${gpuHours} GPU-hours at most (${input.experiments} experiment(s) × ${input.seeds} seed(s) × ` +
    `${resources.gpus} GPU(s) × ${resources.timeLimitSec} s, profile "${profile}") and $${usd} of model calls` +
    (models.unpriced.length > 0 ? ` (no price for ${models.unpriced.join(', ')})` : '') +
    `; the limits before asking are ${thresholds.gpuHours} GPU-hours and $${thresholds.usd} (config confirm.gpuHours, confirm.usd)`;
  return {
    experiments: input.experiments,
    runs,
    gpuHours,
    usd,
    unpriced: models.unpriced,
    thresholds,
    needsConfirmation,
    text,
  };
}
