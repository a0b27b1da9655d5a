// A search's dollar budget for model calls: checked before each new LLM-driven step, never stops running work.
import { ResearchError } from '../domain/errors.js';
import type { ServiceDeps } from '../services/deps.js';
import { searchCostUsd } from '../services/llm-ledger.js';

/** Separates `budgetUsd` (the runner's) from the strategy's own options, and validates it. */
export function takeBudgetOption(options: Record<string, unknown> | undefined): {
  budgetUsd?: number;
  strategyOptions: Record<string, unknown>;
} {
  const { budgetUsd, ...strategyOptions } = options ?? {};
  if (budgetUsd === undefined) return { strategyOptions };
  if (typeof budgetUsd !== 'number' || !Number.isFinite(budgetUsd) || budgetUsd <= 0) {
    throw new ResearchError(
      'bad_input',
      `budgetUsd must be a positive number of dollars; got ${JSON.stringify(budgetUsd)}`,
    );
  }
  return { budgetUsd, strategyOptions };
}

export interface LlmBudget {
  /** The reason to stop, once the ledger shows the budget spent; undefined while money is left. */
  spentMessage(): Promise<string | undefined>;
  /** Throws `budget_exhausted` once the budget is spent. */
  assertAvailable(): Promise<void>;
}

export function createLlmBudget(deps: ServiceDeps, searchId: string, budgetUsd: number | undefined): LlmBudget {
  const spentMessage = async (): Promise<string | undefined> => {
    if (budgetUsd === undefined) return undefined;
    const spent = await searchCostUsd(deps, searchId);
    if (spent < budgetUsd) return undefined;
    return `the LLM budget of $${budgetUsd.toFixed(2)} is spent ($${spent.toFixed(4)} so far); no new ideas or edits were started after that`;
  };
  return {
    spentMessage,
    async assertAvailable() {
      const message = await spentMessage();
      if (message) throw new ResearchError('budget_exhausted', message);
    },
  };
}
