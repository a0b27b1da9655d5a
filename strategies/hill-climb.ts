// Hill-climb: one incumbent (at first the baseline); each step proposes variants of it, keeps the best one if it is
// better, and otherwise keeps the incumbent, as karpathy/autoresearch does with its git commits.
import { z } from 'zod';

import type { Evaluation } from '../src/search/search-context.js';
import { defineStrategy } from './strategy.js';

export const HILL_CLIMB_DEFAULTS = { steps: 8, batchSize: 1 };

/**
 * The incumbent after replaying `population` in order: an evaluation replaces it only when its reward is strictly
 * higher (the baseline's reward stands in for the unchanged code). Undefined while nothing beat the baseline.
 */
export function incumbentOf(
  population: readonly Evaluation[],
  baselineReward: number | undefined,
): Evaluation | undefined {
  let incumbent: Evaluation | undefined;
  let reward = baselineReward ?? Number.NEGATIVE_INFINITY;
  for (const evaluation of population) {
    if (evaluation.reward === undefined || evaluation.reward <= reward) continue;
    incumbent = evaluation;
    reward = evaluation.reward;
  }
  return incumbent;
}

export const hillClimb = defineStrategy({
  name: 'hill-climb',
  description:
    'One incumbent: propose variants of it (of the baseline at first), keep a variant only if it is better than the incumbent.',
  options: z.object({
    /** Ideas in all. */
    steps: z.number().int().min(1).max(10_000).default(HILL_CLIMB_DEFAULTS.steps),
    /** Variants tried against the same incumbent before it may change (1 = strict one-at-a-time). */
    batchSize: z.number().int().min(1).max(200).default(HILL_CLIMB_DEFAULTS.batchSize),
  }),
  /** Epochs are rounds of batchSize variants; a budget caps the ideas. */
  fromSettings({ epochs, batchSize, budget }, options) {
    const merged: Record<string, unknown> = { ...options, ...(batchSize === undefined ? {} : { batchSize }) };
    const batch = (merged.batchSize as number | undefined) ?? HILL_CLIMB_DEFAULTS.batchSize;
    if (epochs !== undefined) merged.steps = epochs * batch;
    if (budget !== undefined)
      merged.steps = Math.min((merged.steps as number | undefined) ?? HILL_CLIMB_DEFAULTS.steps, budget);
    return merged;
  },
  plan({ population, baseline }) {
    const incumbent = incumbentOf(population, baseline);
    return incumbent ? { kind: 'exploit', parents: [incumbent] } : { kind: 'seed' };
  },
  size: (options) => ({ total: options.steps, batchSize: options.batchSize }),
  async run(context, options) {
    const baseline = context.environment.baseline;
    let done = 0;
    for (let epoch = 0; done < options.steps && !context.signal.aborted; epoch++) {
      await context.setEpoch(epoch);
      const incumbent = incumbentOf(context.population(), baseline);
      const count = Math.min(options.batchSize, options.steps - done);
      const ideas = incumbent
        ? await context.propose({ kind: 'exploit', count, parents: [incumbent], epoch })
        : await context.propose({ kind: 'seed', count, epoch });
      if (ideas.length === 0) break;
      const results = await context.evaluate(ideas, epoch);
      done += ideas.length;
      const next = incumbentOf(context.population(), baseline);
      context.log.info('hill-climb step', {
        epoch,
        incumbent: next?.idea.id ?? 'baseline',
        kept: next !== incumbent && results.includes(next as Evaluation),
      });
    }
    const best = incumbentOf(context.population(), baseline);
    return { ...(best ? { best } : {}), evaluated: context.population().length };
  },
});
