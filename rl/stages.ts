// The stages of one epoch: sample every rollout, execute every idea, score (rewards, advantages, metrics), train.
import { SCHEMA_VERSION } from '../src/domain/records.js';
import type { RlEpoch, RlRollout, RlRun } from '../src/domain/rl-records.js';
import { groupwise } from './advantages.js';
import { extractIdea } from './extract.js';
import type { LoopDeps } from './loop.js';
import { epochMetrics } from './metrics.js';
import { advantageFunction, type Mitigations, shapeRewards } from './mitigations.js';
import { forEachLimited } from './pool.js';
import { mixSeed, pastResults, policyPrompt } from './prompt.js';
import { epochRollouts, rolloutId, saveEpoch, saveRollout } from './run-store.js';
import type { BatchLine, PolicyPrompt, TrainingBatch } from './types.js';

/** Writes each group's prompt once (a resumed epoch reuses it), then samples the rollouts not stored yet. */
export async function sampleEpoch(
  deps: LoopDeps,
  run: RlRun,
  epoch: RlEpoch,
  mitigations: Mitigations,
  previous: RlRollout[],
): Promise<RlEpoch> {
  const { store, blobs } = deps;
  const { groups, groupSize, seed } = run.options;
  if (epoch.prompts.length < groups) {
    const prompts = [...epoch.prompts];
    for (let group = prompts.length; group < groups; group++) {
      const shown = mitigations['dynamic-prompt'] ?? 0;
      const context = shown > 0 ? pastResults(previous, shown, mixSeed(seed, epoch.epoch, group)) : [];
      const prompt = policyPrompt(deps.basePrompt, context);
      prompts.push(await blobs.write(run.id, `e${epoch.epoch}-g${group}.prompt.json`, JSON.stringify(prompt)));
    }
    epoch = await saveEpoch(store, epoch, { prompts });
  }
  const prompts = await loadPrompts(deps, epoch);
  const have = new Set((await epochRollouts(store, run.id, epoch.epoch)).map((rollout) => rollout.id));
  const missing: { group: number; index: number }[] = [];
  for (let group = 0; group < groups; group++) {
    for (let index = 0; index < groupSize; index++) {
      if (!have.has(rolloutId(run.id, epoch.epoch, group, index))) missing.push({ group, index });
    }
  }
  await forEachLimited(
    missing,
    deps.concurrency,
    async ({ group, index }) => {
      const sample = await deps.policy.sample(prompts[group] as PolicyPrompt, epoch.model, deps.signal);
      const id = rolloutId(run.id, epoch.epoch, group, index);
      const completion = await blobs.write(
        run.id,
        `e${epoch.epoch}-g${group}-r${index}.completion.txt`,
        sample.completion,
      );
      const extracted = extractIdea(sample.answer);
      const at = new Date().toISOString();
      const rollout: RlRollout = {
        id,
        schemaVersion: SCHEMA_VERSION,
        runId: run.id,
        epoch: epoch.epoch,
        group,
        index,
        policyVersion: epoch.policyVersion,
        completion,
        thinkingTokens: sample.thinkingTokens,
        completionTokens: sample.completionTokens,
        ...(sample.meta ? { meta: sample.meta } : {}),
        ...(extracted.idea
          ? { state: 'sampled', idea: extracted.idea }
          : {
              state: 'scored',
              executed: false,
              reward: 0,
              failure: { category: 'no_idea', message: extracted.reason },
            }),
        createdAt: at,
        updatedAt: at,
      };
      await store.rlRollouts.put(rollout);
    },
    deps.signal,
  );
  return saveEpoch(store, epoch, { state: 'executing' });
}

export async function loadPrompts(deps: LoopDeps, epoch: RlEpoch): Promise<PolicyPrompt[]> {
  return Promise.all(epoch.prompts.map(async (ref) => JSON.parse(await deps.blobs.read(ref)) as PolicyPrompt));
}

/** Runs every idea not scored yet through the evaluator; each rollout is saved as its work advances. */
export async function executeEpoch(deps: LoopDeps, run: RlRun, epoch: RlEpoch): Promise<void> {
  const pending = (await epochRollouts(deps.store, run.id, epoch.epoch)).filter((r) => r.state !== 'scored');
  await forEachLimited(
    pending,
    deps.concurrency,
    async (rollout) => {
      let current = rollout;
      const save = async (patch: Partial<RlRollout>): Promise<RlRollout> =>
        (current = await saveRollout(deps.store, current, patch));
      const result = await deps.evaluator.evaluate(rollout, save, deps.signal);
      await save({
        state: 'scored',
        executed: result.executed,
        reward: result.executed ? result.reward : 0,
        ...(result.failure ? { failure: result.failure } : {}),
      });
    },
    deps.signal,
  );
}

/** Shaped rewards and group-relative advantages for every rollout, and the epoch's metrics. */
export async function scoreEpoch(
  deps: LoopDeps,
  run: RlRun,
  epoch: RlEpoch,
  mitigations: Mitigations,
  previous: RlRollout[],
): Promise<RlEpoch> {
  const rollouts = await epochRollouts(deps.store, run.id, epoch.epoch);
  const shaped = shapeRewards(
    rollouts.map((r) => ({
      reward: r.reward ?? 0,
      executed: r.executed === true,
      tokens: r.completionTokens,
      ...(r.idea ? { ideaText: r.idea.text } : {}),
    })),
    previous.flatMap((r) => (r.idea ? [r.idea.text] : [])),
    mitigations,
  );
  const items = rollouts.map((r, i) => ({ group: r.group, reward: shaped[i] as number }));
  const advantages = groupwise(items, advantageFunction(mitigations));
  const scored: RlRollout[] = [];
  for (const [i, rollout] of rollouts.entries()) {
    scored.push(
      await saveRollout(deps.store, rollout, { shapedReward: shaped[i] as number, advantage: advantages[i] as number }),
    );
  }
  return saveEpoch(deps.store, epoch, { state: 'training', metrics: epochMetrics(scored) });
}

/** The batch a trainer gets: one line per rollout, in the export trainer's JSONL shape. */
export async function trainingBatch(deps: LoopDeps, run: RlRun, epoch: RlEpoch): Promise<TrainingBatch> {
  const prompts = await loadPrompts(deps, epoch);
  const rollouts = await epochRollouts(deps.store, run.id, epoch.epoch);
  const lines: BatchLine[] = [];
  for (const rollout of rollouts) {
    const prompt = prompts[rollout.group] as PolicyPrompt;
    lines.push({
      prompt: { system: prompt.system, user: prompt.user },
      completion: await deps.blobs.read(rollout.completion),
      idea: rollout.idea?.text ?? null,
      reward: rollout.reward ?? 0,
      advantage: rollout.advantage ?? 0,
      group: rollout.group,
      policy_version: rollout.policyVersion,
    });
  }
  return {
    runId: run.id,
    epoch: epoch.epoch,
    policyVersion: epoch.policyVersion,
    model: epoch.model,
    prompts,
    lines,
    rollouts,
  };
}
