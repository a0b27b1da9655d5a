// Best-of-n: sample n independent ideas, run them all, keep the best. The control arm for every search.
import { z } from 'zod';

import { ResearchError } from '../src/domain/errors.js';
import { bestOf, defineStrategy } from './strategy.js';

export const BEST_OF_N_DEFAULTS = { n: 8, batchSize: 8 };

export const bestOfN = defineStrategy({
  name: 'best-of-n',
  description: 'Propose n independent ideas in batches, run all of them, report the best.',
  options: z.object({
    n: z.number().int().min(1).max(10_000).default(BEST_OF_N_DEFAULTS.n),
    batchSize: z.number().int().min(1).max(200).default(BEST_OF_N_DEFAULTS.batchSize),
  }),
  fromSettings({ epochs, batchSize, budget }, options) {
    if (epochs !== undefined) {
      throw new ResearchError('bad_input', 'best-of-n has no epochs: give budget (how many ideas to try) instead');
    }
    return {
      ...options,
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(budget === undefined ? {} : { n: budget }),
    };
  },
  plan: () => ({ kind: 'seed' }),
  size: (options) => ({ total: options.n, batchSize: options.batchSize }),
  async run(context, options) {
    let epoch = 0;
    for (let done = 0; done < options.n && !context.signal.aborted; epoch++) {
      await context.setEpoch(epoch);
      const count = Math.min(options.batchSize, options.n - done);
      const ideas = await context.propose({ kind: 'seed', count, epoch });
      if (ideas.length === 0) break;
      await context.evaluate(ideas, epoch);
      done += ideas.length;
    }
    const population = context.population();
    return { best: bestOf(population), evaluated: population.length };
  },
});
