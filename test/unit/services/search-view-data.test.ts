// The pieces the dashboard's search page and show_search share: baseline band, evidence, lineage nodes, best path.
import { describe, expect, it } from 'vitest';

import type { MetricSpec } from '../../../src/domain/metric.js';
import { baselineBand, bestPath, evidenceOf, lineageNode } from '../../../src/services/search-view-data.js';

const env = (baseline: { value: number; std: number }, metric: MetricSpec, profile = 'default') => ({
  metric,
  baseline: { ...baseline, profile },
});
const node = (idea_id: string, parent_ids: string[] = []) => ({ idea_id, parent_ids });

describe('baselineBand', () => {
  it('turns mean ± std into rewards, low to high, for a loss (1/value) and a score (identity)', () => {
    const loss = baselineBand(env({ value: 2, std: 0.5 }, { name: 'loss', direction: 'min' }), undefined);
    expect(loss).toEqual({ low: 1 / 2.5, mid: 0.5, high: 1 / 1.5 });
    const score = baselineBand(env({ value: 0.8, std: 0.1 }, { name: 'acc', direction: 'max' }), 'default');
    expect(score?.low).toBeCloseTo(0.7);
    expect(score?.mid).toBe(0.8);
    expect(score?.high).toBeCloseTo(0.9);
    const negated = baselineBand(
      env({ value: 3, std: 1 }, { name: 'loss', direction: 'min', reward: 'negate' }),
      undefined,
    );
    expect(negated).toEqual({ low: -4, mid: -3, high: -2 });
  });

  it('is null without a baseline, or with one measured on another profile than the search runs', () => {
    expect(baselineBand({ metric: { name: 'loss', direction: 'min' } }, undefined)).toBeNull();
    expect(baselineBand(env({ value: 2, std: 0.5 }, { name: 'loss', direction: 'min' }), 'smoke')).toBeNull();
    expect(
      baselineBand(env({ value: 2, std: 0.5 }, { name: 'loss', direction: 'min' }, 'smoke'), 'smoke'),
    ).not.toBeNull();
  });
});

describe('evidenceOf', () => {
  it('marks the control arm whatever its seeds, then certified, certifying, or a single seed', () => {
    expect(evidenceOf('control', { certified: true, certifying: true })).toBe('control');
    expect(evidenceOf('candidate', { certified: true, certifying: true })).toBe('certified');
    expect(evidenceOf('candidate', { certified: false, certifying: true })).toBe('certifying');
    expect(evidenceOf('candidate', { certified: false, certifying: false })).toBe('single-seed');
    expect(evidenceOf('certification', {})).toBe('single-seed');
    expect(evidenceOf('candidate', { certified: undefined, certifying: undefined })).toBe('single-seed');
  });
});

describe('lineageNode', () => {
  it("takes the idea's title and generation, or the id and generation 0 when the idea is missing", () => {
    expect(lineageNode(node('idea_a', ['idea_p']), { title: 'Warmup', epoch: 2 }, 0.5)).toEqual({
      idea_id: 'idea_a',
      parent_ids: ['idea_p'],
      title: 'Warmup',
      generation: 2,
      reward: 0.5,
    });
    expect(lineageNode(node('idea_b'), undefined, null)).toEqual({
      idea_id: 'idea_b',
      parent_ids: [],
      title: 'idea_b',
      generation: 0,
      reward: null,
    });
  });
});

describe('bestPath', () => {
  it('walks from the best idea up its first known parent, returned root first', () => {
    const nodes = [node('a'), node('b', ['a']), node('c', ['gone', 'b', 'a']), node('d', ['a'])];
    expect(bestPath(nodes, 'c')).toEqual(['a', 'b', 'c']);
    expect(bestPath(nodes, 'a')).toEqual(['a']);
  });

  it('stops at a cycle, and is empty without a best or when the best is not in the lineage', () => {
    expect(bestPath([node('a', ['b']), node('b', ['a'])], 'a')).toEqual(['b', 'a']);
    expect(bestPath([node('a', ['a'])], 'a')).toEqual(['a']);
    expect(bestPath([node('a')], undefined)).toEqual([]);
    expect(bestPath([node('a')], 'missing')).toEqual([]);
  });
});
