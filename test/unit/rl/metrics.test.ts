// Collapse metrics: token Jaccard, near-duplicate clusters, and one epoch's metrics from its rollouts.
import { describe, expect, it } from 'vitest';

import { clusterIdeas, epochMetrics, meanPairwiseJaccard, metricsJson } from '../../../rl/metrics.js';
import { jaccard, tokenSet } from '../../../rl/tokens.js';
import type { RlRollout } from '../../../src/domain/rl-records.js';

const EMA = '[Experiment] Keep an exponential moving average of the weights with decay 0.999 and evaluate it.';
const EMA2 =
  '[Experiment] Proposal: keep an exponential moving average of the weights with decay 0.99 and evaluate it.';
const ROPE = '[Experiment] Replace learned position embeddings by rotary embeddings in queries and keys.';

function rollout(index: number, idea: string | undefined, reward: number, thinking = 100): RlRollout {
  return {
    id: `rl_x.e0.g0.r${index}`,
    schemaVersion: 1,
    runId: 'rl_x',
    epoch: 0,
    group: 0,
    index,
    policyVersion: 0,
    state: 'scored',
    completion: 'c',
    thinkingTokens: thinking,
    completionTokens: thinking + 20,
    ...(idea ? { idea: { title: idea.slice(13, 40), text: idea, tokens: 20 } } : {}),
    executed: reward > 0,
    reward,
    createdAt: '',
    updatedAt: '',
  };
}

describe('token Jaccard', () => {
  it('is 1 for the same words, 0 for none shared, and ignores case, punctuation and stop words', () => {
    expect(jaccard(tokenSet('Use the EMA, with decay.'), tokenSet('use EMA decay'))).toBe(1);
    expect(jaccard(tokenSet('rotary embeddings'), tokenSet('weight decay'))).toBe(0);
    expect(jaccard(tokenSet(EMA), tokenSet(EMA2))).toBeGreaterThan(0.6);
    expect(jaccard(tokenSet(EMA), tokenSet(ROPE))).toBeLessThan(0.2);
  });

  it('averages over all pairs', () => {
    expect(meanPairwiseJaccard(['a b', 'a b', 'c d'])).toBeCloseTo(1 / 3, 9);
    expect(meanPairwiseJaccard(['only one'])).toBe(0);
  });
});

describe('epoch metrics', () => {
  it('count near-duplicates, distinct ideas, the top idea share, rewards and lengths', () => {
    const rollouts = [
      rollout(0, EMA, 0.53, 400),
      rollout(1, EMA2, 0.54, 200),
      rollout(2, ROPE, 0, 1000),
      rollout(3, undefined, 0, 50),
    ];
    expect(clusterIdeas(rollouts.flatMap((r) => (r.idea ? [r.idea] : []))).map((c) => c.size)).toEqual([2, 1]);
    const m = epochMetrics(rollouts);
    expect(m).toMatchObject({ rollouts: 4, distinctIdeas: 2, maxReward: 0.54, executionRate: 0.5, ideaTokens: 20 });
    expect(m.meanReward).toBeCloseTo(1.07 / 4, 9);
    expect(m.duplicateShare).toBeCloseTo(1 / 3, 9);
    expect(m.topIdeaShare).toBeCloseTo(2 / 3, 9);
    expect(m.thinkingTokens).toBe(412.5);
    expect(m.meanJaccard).toBeGreaterThan(0.2);
    expect(Object.keys(metricsJson(0, m))).toEqual(
      expect.arrayContaining([
        'epoch',
        'mean_reward',
        'max_reward',
        'execution_rate',
        'duplicate_share',
        'distinct_ideas',
        'mean_jaccard',
        'thinking_tokens',
      ]),
    );
  });
});
