// Cost of a call from a per-model price table; a model not in the table costs 0 and is marked unpriced.
import type { ModelPrice } from '../config/llm-schema.js';
import type { Usage } from './llm-provider.js';

export type PriceTable = Record<string, ModelPrice>;

/** The table entry for `model`: its exact name, else its name without a date suffix or a vendor prefix. */
export function priceOf(model: string, prices: PriceTable): ModelPrice | undefined {
  const candidates = [model, model.replace(/-(\d{8}|\d{4}-\d{2}-\d{2})$/, ''), model.split('/').at(-1) ?? model];
  for (const candidate of candidates) {
    const price = Object.hasOwn(prices, candidate) ? prices[candidate] : undefined;
    if (price) return price;
  }
  return undefined;
}

/** Dollars for `usage` on `model`; cached input at its own price (or the input price when none is listed). */
export function costOf(model: string, usage: Usage, prices: PriceTable): { costUsd: number; priced: boolean } {
  const price = priceOf(model, prices);
  if (!price) return { costUsd: 0, priced: false };
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const dollars =
    ((usage.inputTokens - cached) * price.inputPerMTok +
      cached * (price.cachedInputPerMTok ?? price.inputPerMTok) +
      usage.outputTokens * price.outputPerMTok) /
    1_000_000;
  return { costUsd: Math.round(dollars * 1e8) / 1e8, priced: true };
}
