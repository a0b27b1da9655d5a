// Mitigation options: parsing (unknown names list the valid ones) and what each does to the reward.
import { describe, expect, it } from 'vitest';

import { LENGTH_REWARD_CAP, MITIGATION_NAMES, parseMitigations, shapeRewards } from '../../../rl/mitigations.js';

const IDEA = 'keep an exponential moving average of the weights with decay 0.999';

describe('mitigations', () => {
  it('include the paper’s three and at least one aimed at the best reward', () => {
    expect(MITIGATION_NAMES).toEqual(
      expect.arrayContaining(['dynamic-prompt', 'length-reward', 'diversity-penalty', 'risk-seeking']),
    );
  });

  it('parse names and name=value, and refuse unknown names with the valid ones', () => {
    expect(parseMitigations(['length-reward', 'diversity-penalty=0.2'])).toEqual({
      'length-reward': 1e-4,
      'diversity-penalty': 0.2,
    });
    expect(() => parseMitigations(['entropy-bonus'])).toThrow(
      /unknown mitigation "entropy-bonus"; valid: dynamic-prompt, length-reward/,
    );
    expect(() => parseMitigations(['length-reward=abc'])).toThrow(/non-negative number/);
    expect(() => parseMitigations(['risk-seeking=1'])).toThrow(/0 ≤ q < 1/);
  });

  it('length-reward adds a weighted token count capped at 0.3', () => {
    const shaped = shapeRewards(
      [
        { reward: 0.5, executed: true, tokens: 1000 },
        { reward: 0, executed: false, tokens: 50_000 },
      ],
      [],
      parseMitigations(['length-reward']),
    );
    expect(shaped[0]).toBeCloseTo(0.6, 9);
    expect(shaped[1]).toBe(LENGTH_REWARD_CAP);
  });

  it('diversity-penalty subtracts the mean Jaccard similarity to the previous epoch', () => {
    const [same, other] = shapeRewards(
      [
        { reward: 0.5, executed: true, tokens: 0, ideaText: IDEA },
        { reward: 0.5, executed: true, tokens: 0, ideaText: 'rotary position embeddings' },
      ],
      [IDEA, 'rotary attention'],
      parseMitigations(['diversity-penalty=1']),
    );
    expect(same).toBeCloseTo(0.5 - 0.5 * (1 + 0), 9);
    expect(other).toBeCloseTo(0.5 - 0.5 * (0 + 1 / 4), 9);
  });

  it('novelty-weighted scales only executed ideas, by how new they are', () => {
    const shaped = shapeRewards(
      [
        { reward: 0.5, executed: true, tokens: 0, ideaText: IDEA },
        { reward: 0.5, executed: true, tokens: 0, ideaText: 'rotary position embeddings' },
        { reward: 0, executed: false, tokens: 0, ideaText: 'something new entirely' },
      ],
      [IDEA],
      parseMitigations(['novelty-weighted']),
    );
    expect(shaped).toEqual([0.5, 1, 0]);
  });
});
