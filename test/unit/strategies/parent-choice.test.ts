// Evolutionary parent choice: rank-biased, diverse (parents with many children yield), reproducible with a seed.
import { describe, expect, it } from 'vitest';

import type { Evaluation } from '../../../src/search/search-context.js';
import { createRandom } from '../../../src/util/random.js';
import { childCounts, chooseParents, evolutionary, selectParents } from '../../../strategies/evolutionary.js';
import { makeIdea } from '../../helpers/llm-fixtures.js';

function evaluation(id: string, reward?: number, parentIds: string[] = []): Evaluation {
  return { idea: { ...makeIdea(id, id), parentIds }, ...(reward === undefined ? {} : { reward }) };
}

const eligible = Array.from({ length: 10 }, (_, i) => evaluation(`idea_${i}`, 1 - i * 0.01));

function tally(draws: number, children?: Map<string, number>): Map<string, number> {
  const random = createRandom(42);
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const [chosen] = chooseParents(eligible, 1, random, children);
    if (chosen) counts.set(chosen.idea.id, (counts.get(chosen.idea.id) ?? 0) + 1);
  }
  return counts;
}

describe('parent choice', () => {
  it('favours higher ranks without excluding the rest', () => {
    const counts = tally(4000);
    const at = (i: number): number => counts.get(`idea_${i}`) ?? 0;
    expect(at(0)).toBeGreaterThan(at(1));
    expect(at(1)).toBeGreaterThan(at(4));
    expect(at(4)).toBeGreaterThan(at(9));
    expect(at(9)).toBeGreaterThan(0);
    // (r+1)^-1 weights: the best is drawn about twice as often as the second.
    expect(at(0) / at(1)).toBeGreaterThan(1.6);
    expect(at(0) / at(1)).toBeLessThan(2.4);
  });

  it('penalises parents that already have many children', () => {
    const children = childCounts([
      ...Array.from({ length: 9 }, (_, i) => evaluation(`child_${i}`, undefined, ['idea_0'])),
    ]);
    expect(children.get('idea_0')).toBe(9);
    const counts = tally(4000, children);
    expect(counts.get('idea_0') ?? 0).toBeLessThan(counts.get('idea_1') ?? 0);
  });

  it('samples without replacement, returns best first, and is reproducible', () => {
    const first = chooseParents(eligible, 4, createRandom(7));
    const again = chooseParents(eligible, 4, createRandom(7));
    expect(first.map((e) => e.idea.id)).toEqual(again.map((e) => e.idea.id));
    expect(new Set(first.map((e) => e.idea.id)).size).toBe(4);
    const rewards = first.map((e) => e.reward as number);
    expect([...rewards].sort((a, b) => b - a)).toEqual(rewards);
    expect(chooseParents(eligible, 20, createRandom(1))).toHaveLength(10);
    expect(chooseParents([], 3, createRandom(1))).toEqual([]);
  });

  it('pressure 0 is uniform over the eligible (the paper)', () => {
    const random = createRandom(3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const id = chooseParents(eligible, 1, random, new Map(), 0)[0]?.idea.id as string;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const count of counts.values()) expect(count).toBeGreaterThan(300);
  });

  it('eligible parents beat the baseline; steady plans exploit with chosen parents', () => {
    const population = [evaluation('a', 0.6), evaluation('b', 0.4), evaluation('c'), evaluation('d', 0.55)];
    expect(selectParents(population, 0.5).map((e) => e.idea.id)).toEqual(['a', 'd']);
    const options = evolutionary.options.parse({ parents: 1 });
    const plan = evolutionary.plan?.(
      { generation: 1, population, baseline: 0.5, random: createRandom(1), planned: 0, exploited: 0 },
      options,
    );
    expect(plan?.kind).toBe('exploit');
    expect(plan?.parents).toHaveLength(1);
  });
});
