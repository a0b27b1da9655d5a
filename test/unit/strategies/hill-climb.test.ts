// Hill-climb: one incumbent, replaced only by a strictly better variant; variants are built on the incumbent.
import { describe, expect, it } from 'vitest';

import type { Idea } from '../../../src/domain/records.js';
import type { Evaluation, SearchContext } from '../../../src/search/search-context.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createRandom } from '../../../src/util/random.js';
import { hillClimb, incumbentOf } from '../../../strategies/hill-climb.js';
import { allStrategies } from '../../../strategies/index.js';
import { makeIdea } from '../../helpers/llm-fixtures.js';

/** A context whose n-th proposed idea scores rewards[n]. */
function fakeContext(rewards: number[], baseline = 0.5): { context: SearchContext; requests: unknown[] } {
  const population: Evaluation[] = [];
  const requests: { kind: string; parents?: string[] }[] = [];
  let n = 0;
  const context: SearchContext = {
    searchId: 'search_1',
    environment: { name: 'toy', metric: { name: 'loss', direction: 'min' }, baseline },
    random: createRandom(1),
    signal: new AbortController().signal,
    log: silentLogger,
    async propose({ kind, count, parents }) {
      requests.push({ kind, ...(parents ? { parents: parents.map((p) => p.idea.id) } : {}) });
      return Array.from({ length: count }, (): Idea => {
        const id = `idea_${n++}`;
        return { ...makeIdea(id, id), parentIds: parents?.map((p) => p.idea.id) ?? [] };
      });
    },
    async evaluate(ideas) {
      const evaluations = ideas.map((idea) => ({ idea, reward: rewards[Number(idea.id.slice(5))] as number }));
      population.push(...evaluations);
      return evaluations;
    },
    population: () => population,
    async setEpoch() {},
  };
  return { context, requests };
}

describe('hill-climb', () => {
  it('is registered with its defaults', () => {
    expect(allStrategies['hill-climb']).toBe(hillClimb);
    expect(hillClimb.options.parse({})).toEqual({ steps: 8, batchSize: 1 });
    expect(hillClimb.fromSettings({ epochs: 3, batchSize: 2 }, {})).toEqual({ steps: 6, batchSize: 2 });
    expect(hillClimb.fromSettings({ budget: 4 }, { steps: 10 })).toEqual({ steps: 4 });
  });

  it('keeps a variant only if it beats the incumbent', async () => {
    // idea_0 worse than baseline; idea_1 better (kept); idea_2 worse than idea_1; idea_3 better still (kept).
    const { context, requests } = fakeContext([0.4, 0.6, 0.55, 0.7, 0.6]);
    const outcome = await hillClimb.run(context, hillClimb.options.parse({ steps: 5 }));
    expect(requests).toEqual([
      { kind: 'seed' },
      { kind: 'seed' },
      { kind: 'exploit', parents: ['idea_1'] },
      { kind: 'exploit', parents: ['idea_1'] },
      { kind: 'exploit', parents: ['idea_3'] },
    ]);
    expect(outcome.best?.idea.id).toBe('idea_3');
    expect(outcome.evaluated).toBe(5);
  });

  it('a tie does not replace the incumbent; nothing better than the baseline leaves none', () => {
    const a = { idea: makeIdea('a', 'a'), reward: 0.6 };
    const b = { idea: makeIdea('b', 'b'), reward: 0.6 };
    expect(incumbentOf([a, b], 0.5)).toBe(a);
    expect(incumbentOf([a, b], 0.7)).toBeUndefined();
    expect(incumbentOf([{ idea: makeIdea('c', 'c') }], undefined)).toBeUndefined();
    expect(
      hillClimb.plan?.(
        { generation: 0, population: [a, b], baseline: 0.5, random: createRandom(1), planned: 0, exploited: 0 },
        { steps: 8, batchSize: 1 },
      ),
    ).toEqual({ kind: 'exploit', parents: [a] });
  });
});
