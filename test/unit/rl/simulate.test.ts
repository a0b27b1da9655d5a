// The simulation reproduces the paper's finding without mitigation, and shows what each mitigation changes.
import { describe, expect, it } from 'vitest';

import { simulate } from '../../../rl/sim/simulate.js';
import type { RlEpoch, RlMetrics } from '../../../src/domain/rl-records.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';

type Key = 'meanReward' | 'maxReward' | 'duplicateShare' | 'distinctIdeas' | 'thinkingTokens';
const window = (epochs: RlEpoch[], from: number, to: number, key: Key): number =>
  epochs.slice(from, to).reduce((sum, e) => sum + (e.metrics as RlMetrics)[key], 0) / (to - from);
const first = (epochs: RlEpoch[], key: Key) => window(epochs, 0, 5, key);
const last = (epochs: RlEpoch[], key: Key) => window(epochs, epochs.length - 5, epochs.length, key);

async function run(mitigations: string[] = [], seed = 0): Promise<RlEpoch[]> {
  return (await simulate({ store: createMemoryStore(), epochs: 40, groupSize: 64, mitigations, seed })).epochs;
}

describe('rl simulate', () => {
  it('without mitigation: mean reward up, max reward not up, duplicates up, thinking down (the paper, section 5)', async () => {
    const epochs = await run();
    expect(epochs).toHaveLength(40);
    expect(epochs.at(-1)).toMatchObject({ state: 'done', policyVersion: 39, next: { policyVersion: 40 } });
    expect(last(epochs, 'meanReward')).toBeGreaterThan(first(epochs, 'meanReward') + 0.03);
    expect(last(epochs, 'maxReward')).toBeLessThan(first(epochs, 'maxReward') + 0.002);
    expect(last(epochs, 'duplicateShare')).toBeGreaterThan(first(epochs, 'duplicateShare') + 0.08);
    expect(last(epochs, 'distinctIdeas')).toBeLessThan(first(epochs, 'distinctIdeas') - 5);
    expect(last(epochs, 'thinkingTokens')).toBeLessThan(0.7 * first(epochs, 'thinkingTokens'));
  });

  it('with the diversity mitigations more distinct ideas survive; only risk-seeking raises the max reward', async () => {
    const plain = await run();
    for (const name of ['diversity-penalty', 'novelty-weighted', 'length-reward']) {
      expect(last(await run([name]), 'distinctIdeas'), name).toBeGreaterThan(last(plain, 'distinctIdeas') + 2);
    }
    const lengthReward = await run(['length-reward']);
    expect(last(lengthReward, 'thinkingTokens')).toBeGreaterThan(first(lengthReward, 'thinkingTokens'));
    const riskSeeking = await run(['risk-seeking']);
    expect(last(riskSeeking, 'maxReward')).toBeGreaterThan(last(plain, 'maxReward') + 0.01);
    expect(last(riskSeeking, 'meanReward')).toBeLessThan(last(plain, 'meanReward'));
  });

  it('is reproducible from its seed', async () => {
    const options = { epochs: 3, groupSize: 16, mitigations: ['dynamic-prompt'], seed: 7 };
    const a = await simulate({ ...options, store: createMemoryStore() });
    const b = await simulate({ ...options, store: createMemoryStore() });
    expect(a.epochs.map((e) => e.metrics)).toEqual(b.epochs.map((e) => e.metrics));
    expect(a.model.logits).toEqual(b.model.logits);
  });
});
