// The paper's execution-guided evolutionary search (Algorithm 1): seed, then exploit ideas that beat the
// baseline and explore new ones, with the exploit share rising from 50% to 80%.
import { z } from 'zod';

import { ResearchError } from '../src/domain/errors.js';
import type { Evaluation } from '../src/search/search-context.js';
import { bestOf, defineStrategy } from './strategy.js';

export const EVOLUTIONARY_DEFAULTS = { epochs: 3, batchSize: 4 };

/** Exploit share at epoch t ≥ 1: 0.5 + 0.1·⌊t/2⌋, capped at 0.8 (the reference code's schedule). */
export function exploitShare(epoch: number): number {
  return Math.min(0.5 + 0.1 * Math.floor(epoch / 2), 0.8);
}

/** Evaluations that beat the baseline (or, with no baseline, the better half), best first. */
export function selectParents(population: readonly Evaluation[], baselineReward: number | undefined): Evaluation[] {
  const scored = population
    .filter((e) => e.reward !== undefined)
    .sort((a, b) => (b.reward as number) - (a.reward as number));
  if (baselineReward !== undefined) return scored.filter((e) => (e.reward as number) > baselineReward);
  return scored.slice(0, Math.ceil(scored.length / 2));
}

export const evolutionary = defineStrategy({
  name: 'evolutionary',
  description:
    'Epoch 0 seeds ideas; later epochs exploit variants and combinations of ideas that beat the baseline and explore new ones.',
  options: z.object({
    epochs: z.number().int().min(1).max(100).default(EVOLUTIONARY_DEFAULTS.epochs),
    batchSize: z.number().int().min(1).max(200).default(EVOLUTIONARY_DEFAULTS.batchSize),
  }),
  /** A budget caps epochs × batchSize: as many whole epochs as it pays for, at most the epochs asked for. */
  fromSettings({ epochs, batchSize, budget }, options) {
    const merged: Record<string, unknown> = {
      ...options,
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(epochs === undefined ? {} : { epochs }),
    };
    if (budget === undefined) return merged;
    const batch = (merged.batchSize as number | undefined) ?? EVOLUTIONARY_DEFAULTS.batchSize;
    const affordable = Math.floor(budget / batch);
    if (affordable < 1) {
      throw new ResearchError(
        'bad_input',
        `budget ${budget} is smaller than one epoch of ${batch} experiments; raise budget or lower batch_size`,
      );
    }
    merged.epochs = Math.min((merged.epochs as number | undefined) ?? EVOLUTIONARY_DEFAULTS.epochs, affordable);
    return merged;
  },
  async run(context, options) {
    for (let epoch = 0; epoch < options.epochs && !context.signal.aborted; epoch++) {
      await context.setEpoch(epoch);
      const population = context.population();
      const baselineReward = context.environment.baseline;
      const parents = selectParents(population, baselineReward);
      let exploit = 0;
      if (epoch > 0 && parents.length > 0) exploit = Math.round(exploitShare(epoch) * options.batchSize);
      const ideas = [
        ...(exploit > 0 ? await context.propose({ kind: 'exploit', count: exploit, parents, epoch }) : []),
        ...(options.batchSize - exploit > 0
          ? await context.propose({ kind: epoch === 0 ? 'seed' : 'explore', count: options.batchSize - exploit, epoch })
          : []),
      ];
      context.log.info('epoch ideas', { epoch, exploit, explore: ideas.length - exploit, parents: parents.length });
      if (ideas.length === 0) break;
      await context.evaluate(ideas, epoch);
    }
    const population = context.population();
    return { best: bestOf(population), evaluated: population.length };
  },
});
