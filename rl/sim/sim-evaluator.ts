// Simulated execution of a simulated idea: it runs with the template's probability and pays 1/val_loss when it does.
import { ResearchError } from '../../src/domain/errors.js';
import type { RlRollout } from '../../src/domain/rl-records.js';
import { createRandom } from '../../src/util/random.js';
import { mixSeed } from '../prompt.js';
import type { Evaluation, IdeaEvaluator } from '../types.js';
import type { IdeaTemplate } from './landscape.js';

const FAILURES = ['crashed', 'timeout', 'oom', 'nan'] as const;

/** Each rollout's outcome depends only on the seed and its place in the run, not on the order rollouts finish in. */
export function createSimEvaluator(templates: readonly IdeaTemplate[], seed: number): IdeaEvaluator {
  return {
    async evaluate(rollout: RlRollout): Promise<Evaluation> {
      const index = rollout.meta?.template;
      const template = typeof index === 'number' ? templates[index] : undefined;
      if (!template) throw new ResearchError('internal', `rollout ${rollout.id} names no simulated idea template`);
      const random = createRandom(mixSeed(seed, rollout.epoch, rollout.group, rollout.index, 0x51));
      if (random.next() >= template.execution) {
        const category = random.pick(FAILURES);
        return { executed: false, reward: 0, failure: { category, message: `simulated ${category}` } };
      }
      const z = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      const loss = Math.max(0.5, template.loss + template.lossStd * z);
      return { executed: true, reward: 1 / loss };
    },
  };
}
