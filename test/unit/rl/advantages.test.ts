// Group-relative advantages (GRPO), the risk-seeking variant, and agreement with the Python trainer's maths.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { groupwise, grpoAdvantages, quantile, riskSeekingAdvantages } from '../../../rl/advantages.js';
import { hasTorch } from '../../helpers/test-server.js';

describe('GRPO advantages', () => {
  it('are (r − mean) / std within the group, with the population std', () => {
    const advantages = grpoAdvantages([1, 0, 0, 1]);
    advantages.forEach((value, i) => expect(value).toBeCloseTo([1, -1, -1, 1][i] as number, 5));
    const skewed = grpoAdvantages([0.5, 0, 0, 0]);
    expect(skewed[0]).toBeCloseTo(Math.sqrt(3), 4);
    expect(skewed.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
  });

  it('are all zero when every idea in the group scored the same (failures included)', () => {
    expect(grpoAdvantages([0, 0, 0])).toEqual([0, 0, 0]);
    expect(grpoAdvantages([0.53, 0.53])).toEqual([0, 0]);
  });

  it('normalise each group on its own and keep the input order', () => {
    const items = [
      { group: 1, reward: 2 },
      { group: 0, reward: 1 },
      { group: 1, reward: 4 },
      { group: 0, reward: 1 },
    ];
    const advantages = groupwise(items, grpoAdvantages);
    expect(advantages[0]).toBeCloseTo(-1, 5);
    expect(advantages[2]).toBeCloseTo(1, 5);
    expect([advantages[1], advantages[3]]).toEqual([0, 0]);
  });
});

describe('risk-seeking advantages', () => {
  it('reward only the ideas above the group quantile, with a mean advantage of 1 among them', () => {
    const rewards = [0, 0, 0.5, 0.52, 0.53, 0.6, 0, 0.51];
    const q = quantile(rewards, 0.75);
    expect(q).toBeCloseTo(0.5225, 6);
    const advantages = riskSeekingAdvantages(rewards, 0.75);
    rewards.forEach((reward, i) =>
      reward <= q ? expect(advantages[i]).toBe(0) : expect(advantages[i]).toBeGreaterThan(0),
    );
    const elite = advantages.filter((a) => a > 0);
    expect(elite.reduce((a, b) => a + b, 0) / elite.length).toBeCloseTo(1, 9);
    expect(advantages[5]).toBeGreaterThan(advantages[4] as number);
    expect(Math.min(...advantages)).toBe(0);
  });

  it('teach nothing when nobody beats the quantile', () => {
    expect(riskSeekingAdvantages([0.5, 0.5, 0.5, 0.5], 0.75)).toEqual([0, 0, 0, 0]);
    expect(riskSeekingAdvantages([0, 0, 0, 0.5], 0.75)).toEqual([0, 0, 0, 1]);
  });
});

describe.skipIf(!hasTorch)('the Python trainer', () => {
  it('computes the same group advantages as groundwork', () => {
    const rewards = [0.53, 0, 0.55, 0.51, 0, 0.6, 0.6, 0.2];
    const groups = [0, 0, 0, 0, 1, 1, 1, 1];
    const script = `import json, sys; sys.path.insert(0, 'rl/python'); from grpo_loss import group_advantages; print(json.dumps(group_advantages(${JSON.stringify(rewards)}, ${JSON.stringify(groups)}).tolist()))`;
    const result = spawnSync('/usr/bin/python3', ['-B', '-c', script], {
      cwd: resolve(import.meta.dirname, '../../..'),
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const python = JSON.parse(result.stdout) as number[];
    const ours = groupwise(
      rewards.map((reward, i) => ({ reward, group: groups[i] as number })),
      grpoAdvantages,
    );
    python.forEach((value, i) => expect(value).toBeCloseTo(ours[i] as number, 9));
  });
});
