import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { isBetter, rewardOf } from '../../../src/domain/metric.js';
import { implausible, sampleStd, summarizeReward } from '../../../src/reward/compute-reward.js';
import { readResult } from '../../../src/reward/read-result.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function resultFile(content: string): Promise<string> {
  const path = join(await tempDir(), 'result.json');
  await writeFile(path, content);
  return path;
}

describe('reward', () => {
  it('is 1/value for min metrics by default and the value for max metrics', () => {
    expect(rewardOf(2, { name: 'loss', direction: 'min' })).toBe(0.5);
    expect(rewardOf(0.7, { name: 'accuracy', direction: 'max' })).toBe(0.7);
    expect(rewardOf(2, { name: 'loss', direction: 'min', reward: 'negate' })).toBe(-2);
    expect(isBetter(1, 2, 'min')).toBe(true);
    expect(isBetter(1, 2, 'max')).toBe(false);
  });

  it('summarises seeds with mean, sample std and the baseline delta', () => {
    const summary = summarizeReward(
      [1.9, 2.1],
      { name: 'loss', direction: 'min' },
      { value: 2.2, std: 0.1, runs: 3, profile: 'default' },
    );
    expect(summary.metric.value).toBeCloseTo(2.0);
    expect(summary.metric.std).toBeCloseTo(sampleStd([1.9, 2.1]));
    expect(summary.metric.seeds).toBe(2);
    expect(summary.reward).toBeCloseTo(0.5);
    expect(summary.baseline?.delta).toBeCloseTo(-0.2);
    expect(summary.baseline?.improved).toBe(true);
  });

  it('flags values outside the plausible range', () => {
    expect(implausible(0.01, { min: 0.5 })).toMatch(/below/);
    expect(implausible(9, { max: 6 })).toMatch(/above/);
    expect(implausible(2, { min: 0.5, max: 6 })).toBeUndefined();
  });
});

describe('result.json', () => {
  it('reads metric, metrics and curve', async () => {
    const read = await readResult(
      await resultFile('{"metric": 1.5, "metrics": {"a": 2, "b": null}, "curve": [[0, 3], [1, 2]]}'),
    );
    expect(read).toEqual({
      ok: true,
      metric: 1.5,
      metrics: { a: 2 },
      curve: [
        [0, 3],
        [1, 2],
      ],
    });
  });

  it.each([
    ['{"metric": NaN}', 'nan'],
    ['{"metric": Infinity, "metrics": {"x": -Infinity}}', 'nan'],
    ['{"metric": null, "error": "non-finite validation loss"}', 'nan'],
    ['{"metric": "1.5"}', 'no_result'],
    ['{"metrics": {}}', 'no_result'],
    ['not json at all', 'no_result'],
    ['[1, 2]', 'no_result'],
    ['{"metric": 1.0, "suspicious": "causality probe failed"}', 'suspicious'],
  ])('%s → %s', async (content, category) => {
    const read = await readResult(await resultFile(content));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.category).toBe(category);
  });

  it('a missing file is no_result', async () => {
    const read = await readResult(join(await tempDir(), 'absent.json'));
    expect(read).toMatchObject({ ok: false, category: 'no_result' });
  });
});
