// The SearchStrategy seam: an algorithm that drives a SearchContext. No I/O of its own.
import type { z } from 'zod';

import type { Evaluation, SearchContext } from '../src/search/search-context.js';

export interface SearchOutcome {
  best?: Evaluation;
  evaluated: number;
}

export interface SearchStrategy<Options = unknown> {
  readonly name: string;
  readonly description: string;
  readonly options: z.ZodType<Options>;
  run(context: SearchContext, options: Options): Promise<SearchOutcome>;
}

export function defineStrategy<Options>(strategy: SearchStrategy<Options>): SearchStrategy<Options> {
  return strategy;
}

/** Best succeeded evaluation by reward (higher is better). */
export function bestOf(evaluations: readonly Evaluation[]): Evaluation | undefined {
  let best: Evaluation | undefined;
  for (const evaluation of evaluations) {
    if (evaluation.reward === undefined) continue;
    if (!best || evaluation.reward > (best.reward as number)) best = evaluation;
  }
  return best;
}
