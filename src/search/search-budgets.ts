// A search's budgets (ideas, dollars, GPU-hours, wall-clock): checked before new work starts, never stop running work.
import type { Search } from '../domain/records.js';
import type { ServiceDeps } from '../services/deps.js';
import { searchCostUsd } from '../services/llm-ledger.js';
import { searchGpuHours } from '../services/search-stats.js';
import type { RunnerOptions } from './search-options.js';

export type BudgetName = 'ideas' | 'usd' | 'gpu_hours' | 'wall_clock';

export interface Budgets {
  /** The budget that is spent and why, or undefined while every budget has room. `ideas`: candidates proposed. */
  spent(ideas: number): Promise<{ budget: BudgetName; message: string } | undefined>;
  /** Candidate ideas still allowed (Infinity without an ideas budget). */
  ideasLeft(ideas: number): number;
}

export function createBudgets(deps: ServiceDeps, search: Search, options: RunnerOptions): Budgets {
  const ideasLeft = (ideas: number): number =>
    options.maxIdeas === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.maxIdeas - ideas);
  return {
    ideasLeft,
    async spent(ideas) {
      if (ideasLeft(ideas) <= 0) {
        return { budget: 'ideas', message: `the budget of ${options.maxIdeas} ideas is used` };
      }
      if (options.budgetHours !== undefined) {
        // Timestamps have millisecond resolution: up to 1 ms more may have passed than they show.
        const hours = (Date.now() + 1 - Date.parse(search.createdAt)) / 3_600_000;
        if (hours >= options.budgetHours) {
          return {
            budget: 'wall_clock',
            message: `the wall-clock budget of ${options.budgetHours} h is spent (${hours.toFixed(3)} h since the search started)`,
          };
        }
      }
      if (options.budgetUsd !== undefined) {
        const usd = await searchCostUsd(deps, search.id);
        if (usd >= options.budgetUsd) {
          return {
            budget: 'usd',
            message: `the LLM budget of $${options.budgetUsd.toFixed(2)} is spent ($${usd.toFixed(4)} so far); no new ideas or edits were started after that`,
          };
        }
      }
      if (options.budgetGpuHours !== undefined) {
        const used = await searchGpuHours(deps.store, search.id);
        if (used >= options.budgetGpuHours) {
          return {
            budget: 'gpu_hours',
            message: `the GPU budget of ${options.budgetGpuHours} GPU-hours is spent (${used.toFixed(4)} used)`,
          };
        }
      }
      return undefined;
    },
  };
}
