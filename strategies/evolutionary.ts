// The paper's execution-guided evolutionary search (Algorithm 1): seed, then exploit ideas that beat the
// baseline and explore new ones, with the exploit share rising from 50% to 80%.
import { z } from 'zod';

import { ResearchError } from '../src/domain/errors.js';
import type { Random } from '../src/util/random.js';
import type { Evaluation } from '../src/search/search-context.js';
import { bestOf, defineStrategy } from './strategy.js';

export const EVOLUTIONARY_DEFAULTS = { epochs: 3, batchSize: 4, parents: 10, selectionPressure: 1 };

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

/** How many ideas of the population name each idea as a parent (its children so far). */
export function childCounts(population: readonly Evaluation[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const evaluation of population)
    for (const id of evaluation.idea.parentIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/**
 * Fitness-aware parent choice with diversity: rank-weighted sampling without replacement from `eligible` (best
 * first). The idea at rank r (0 = best) weighs (r+1)^-pressure / (1 + its children so far), so the best are chosen
 * most, and a parent that already has many children yields to others. Returned best first, as prompts show them.
 */
export function chooseParents(
  eligible: readonly Evaluation[],
  count: number,
  random: Random,
  children: ReadonlyMap<string, number> = new Map(),
  pressure = EVOLUTIONARY_DEFAULTS.selectionPressure,
): Evaluation[] {
  const pool = eligible.map((evaluation, rank) => ({
    evaluation,
    rank,
    weight: (rank + 1) ** -pressure / (1 + (children.get(evaluation.idea.id) ?? 0)),
  }));
  const chosen: typeof pool = [];
  while (chosen.length < count && pool.length > 0) {
    const total = pool.reduce((sum, entry) => sum + entry.weight, 0);
    let target = random.next() * total;
    let index = pool.findIndex((entry) => (target -= entry.weight) < 0);
    if (index < 0) index = pool.length - 1;
    chosen.push(...pool.splice(index, 1));
  }
  return chosen.sort((a, b) => a.rank - b.rank).map((entry) => entry.evaluation);
}

export const evolutionary = defineStrategy({
  name: 'evolutionary',
  description:
    'Epoch 0 seeds ideas; later epochs exploit variants and combinations of ideas that beat the baseline and explore new ones.',
  options: z.object({
    epochs: z.number().int().min(1).max(100).default(EVOLUTIONARY_DEFAULTS.epochs),
    batchSize: z.number().int().min(1).max(200).default(EVOLUTIONARY_DEFAULTS.batchSize),
    /** Parents shown to one exploit proposal, chosen by rank with a penalty for parents used often. */
    parents: z.number().int().min(1).max(100).default(EVOLUTIONARY_DEFAULTS.parents),
    /** How strongly rank counts: 0 = uniform over the eligible (the paper), larger = greedier. */
    selectionPressure: z.number().min(0).max(10).default(EVOLUTIONARY_DEFAULTS.selectionPressure),
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
  /** Steady mode: the exploit share of each generation's ideas follows exploitShare(generation), as epochs do. */
  plan({ generation, population, baseline, planned, exploited, random }, options) {
    if (generation === 0) return { kind: 'seed' };
    const eligible = selectParents(population, baseline);
    const parents = chooseParents(
      eligible,
      options.parents,
      random,
      childCounts(population),
      options.selectionPressure,
    );
    const exploitDue = Math.round(exploitShare(generation) * (planned + 1));
    return parents.length > 0 && exploited < exploitDue ? { kind: 'exploit', parents } : { kind: 'explore' };
  },
  size: (options) => ({ total: options.epochs * options.batchSize, batchSize: options.batchSize }),
  async run(context, options) {
    for (let epoch = 0; epoch < options.epochs && !context.signal.aborted; epoch++) {
      await context.setEpoch(epoch);
      const population = context.population();
      const baselineReward = context.environment.baseline;
      const eligible = selectParents(population, baselineReward);
      const parents = chooseParents(
        eligible,
        options.parents,
        context.random,
        childCounts(population),
        options.selectionPressure,
      );
      let exploit = 0;
      if (epoch > 0 && parents.length > 0) exploit = Math.round(exploitShare(epoch) * options.batchSize);
      const ideas = [
        ...(exploit > 0 ? await context.propose({ kind: 'exploit', count: exploit, parents, epoch }) : []),
        ...(options.batchSize - exploit > 0
          ? await context.propose({ kind: epoch === 0 ? 'seed' : 'explore', count: options.batchSize - exploit, epoch })
          : []),
      ];
      context.log.info('epoch ideas', {
        epoch,
        exploit,
        explore: ideas.length - exploit,
        parents: parents.map((parent) => parent.idea.id),
        eligible: eligible.length,
      });
      if (ideas.length === 0) break;
      await context.evaluate(ideas, epoch);
    }
    const population = context.population();
    return { best: bestOf(population), evaluated: population.length };
  },
});
