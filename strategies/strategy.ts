// Helpers for writing a strategy (the SearchStrategy contract lives in src/search/search-context.ts). No I/O.
import type { Evaluation, SearchStrategy } from '../src/search/search-context.js';

export type { SearchOutcome, SearchStrategy, StrategySettings } from '../src/search/search-context.js';

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
