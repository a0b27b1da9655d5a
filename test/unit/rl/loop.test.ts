// The RL loop on fakes: every epoch is stored, and a run that died resumes without re-running finished rollouts.
import { describe, expect, it } from 'vitest';

import { runLoop, type LoopDeps } from '../../../rl/loop.js';
import { createRun, epochRollouts, memoryBlobs, runEpochs } from '../../../rl/run-store.js';
import type { IdeaEvaluator, Policy, Trainer } from '../../../rl/types.js';
import type { RlRunOptions } from '../../../src/domain/rl-records.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';

const IDEAS = [
  'an exponential moving average of the weights',
  'rotary position embeddings in attention',
  'gradient clipping at norm one',
];

function fakes() {
  const calls = { sample: 0, evaluate: new Map<string, number>(), train: 0 };
  let failEvaluateAt = -1;
  let failTrainAt = -1;
  const policy: Policy = {
    kind: 'fake',
    async sample(prompt, model) {
      const idea = IDEAS[calls.sample++ % IDEAS.length] as string;
      const answer = `[Title] ${idea}\n[Experiment] ${idea} (asked of ${model}).\n[Code Changes] ${idea} in train.py.\n[End]`;
      return {
        completion: `<think>hmm ${prompt.user.length}</think>\n${answer}`,
        answer,
        thinkingTokens: 3,
        completionTokens: 40,
      };
    },
  };
  const evaluator: IdeaEvaluator = {
    async evaluate(rollout, save) {
      const total = [...calls.evaluate.values()].reduce((a, b) => a + b, 0);
      calls.evaluate.set(rollout.id, (calls.evaluate.get(rollout.id) ?? 0) + 1);
      if (total === failEvaluateAt) throw new Error('the process died');
      await save({ experimentId: `exp_${rollout.id}` });
      const executed = rollout.index % 3 !== 2;
      return { executed, reward: executed ? 0.5 + rollout.index / 100 : 0 };
    },
  };
  const trainer: Trainer = {
    kind: 'fake',
    async train(batch) {
      if (calls.train++ === failTrainAt) throw new Error('the trainer died');
      expect(batch.lines).toHaveLength(batch.rollouts.length);
      return { policyVersion: batch.policyVersion + 1, model: `policy-v${batch.policyVersion + 1}` };
    },
  };
  return {
    calls,
    policy,
    evaluator,
    trainer,
    failEvaluate: (n: number) => (failEvaluateAt = n),
    failTrain: (n: number) => (failTrainAt = n),
  };
}

const OPTIONS: RlRunOptions = {
  groupSize: 4,
  groups: 2,
  epochs: 3,
  profile: 'smoke',
  seed: 1,
  mitigations: ['dynamic-prompt=2'],
  policy: { kind: 'fake', model: 'policy-v0' },
  trainer: { kind: 'fake' },
};

describe('RL loop', () => {
  it('stores every epoch (rollouts, rewards, advantages, policy version, metrics) and resumes where it stopped', async () => {
    const store = createMemoryStore();
    const f = fakes();
    const deps: LoopDeps = {
      store,
      blobs: memoryBlobs(),
      policy: f.policy,
      evaluator: f.evaluator,
      trainer: f.trainer,
      basePrompt: { system: 's', user: 'propose one idea' },
      concurrency: 1,
    };
    const run = await createRun(store, { environment: 'toy', options: OPTIONS });
    f.failEvaluate(3); // dies on the 4th evaluation of epoch 0
    await expect(runLoop(deps, run.id)).rejects.toThrow(/the process died/);
    expect(await store.rlRuns.get(run.id)).toMatchObject({ state: 'failed', epoch: 0, error: 'the process died' });
    expect(f.calls.sample).toBe(8);
    f.failEvaluate(-1);
    f.failTrain(1); // then the trainer dies after epoch 1
    await expect(runLoop(deps, run.id)).rejects.toThrow(/the trainer died/);
    expect(await store.rlRuns.get(run.id)).toMatchObject({
      state: 'failed',
      epoch: 1,
      policyVersion: 1,
      model: 'policy-v1',
    });
    f.failTrain(-1);
    const done = await runLoop(deps, run.id);
    expect(done).toMatchObject({ state: 'succeeded', epoch: 3, policyVersion: 3, model: 'policy-v3' });

    // Nothing finished ran twice: 24 samples, each rollout evaluated once (the one that died: once more).
    expect(f.calls.sample).toBe(24);
    const evaluations = [...f.calls.evaluate.values()];
    expect(evaluations).toHaveLength(24);
    expect(evaluations.filter((n) => n === 2)).toHaveLength(1);
    expect(f.calls.train).toBe(4);

    const epochs = await runEpochs(store, run.id);
    expect(epochs.map((e) => [e.epoch, e.state, e.policyVersion, e.model, e.next?.policyVersion])).toEqual([
      [0, 'done', 0, 'policy-v0', 1],
      [1, 'done', 1, 'policy-v1', 2],
      [2, 'done', 2, 'policy-v2', 3],
    ]);
    const second = await epochRollouts(store, run.id, 1);
    expect(second).toHaveLength(8);
    for (const rollout of second) {
      expect(rollout).toMatchObject({ state: 'scored', policyVersion: 1, experimentId: `exp_${rollout.id}` });
      expect(rollout.advantage).toBeTypeOf('number');
    }
    const groupSums = [0, 1].map((g) =>
      second.filter((r) => r.group === g).reduce((s, r) => s + (r.advantage ?? 0), 0),
    );
    groupSums.forEach((sum) => expect(sum).toBeCloseTo(0, 9));
    expect(epochs[1]?.metrics).toMatchObject({ rollouts: 8, executionRate: 0.75, distinctIdeas: 3 });
    // dynamic-prompt: from epoch 1 on, each group's prompt shows two ideas of the previous epoch with their rewards.
    const prompt = JSON.parse(await deps.blobs.read(epochs[1]?.prompts[0] as string)) as {
      user: string;
      context: unknown[];
    };
    expect(prompt.context).toHaveLength(2);
    expect(prompt.user).toMatch(/Ideas tried in the previous round/);
  });

  it('stops cleanly when its signal aborts, and a finished run is left alone', async () => {
    const store = createMemoryStore();
    const f = fakes();
    const controller = new AbortController();
    const run = await createRun(store, { environment: 'toy', options: { ...OPTIONS, epochs: 2 } });
    const deps: LoopDeps = {
      store,
      blobs: memoryBlobs(),
      policy: f.policy,
      evaluator: f.evaluator,
      trainer: f.trainer,
      basePrompt: { system: 's', user: 'u' },
      concurrency: 2,
      signal: controller.signal,
      onEpoch: () => controller.abort(),
    };
    expect(await runLoop(deps, run.id)).toMatchObject({ state: 'stopped', epoch: 1 });
    const done = await runLoop({ ...deps, signal: new AbortController().signal, onEpoch: () => undefined }, run.id);
    expect(done).toMatchObject({ state: 'succeeded', epoch: 2 });
    expect(await runLoop(deps, run.id)).toMatchObject({ state: 'succeeded', epoch: 2 });
    expect(f.calls.sample).toBe(16);
  });
});
