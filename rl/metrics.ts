// Per-epoch metrics that catch mode collapse: rewards, execution rate, near-duplicates, similarity, lengths.
import type { RlMetrics, RlRollout } from '../src/domain/rl-records.js';
import { jaccard, tokenSet } from './tokens.js';

/** Two ideas whose token sets overlap at least this much (Jaccard) are near-duplicates: the same idea reworded. */
export const DUPLICATE_JACCARD = 0.5;
/** Pairwise similarity is averaged over at most this many ideas (the first ones), to bound the cost. */
export const MAX_PAIRWISE = 256;

export interface IdeaCluster {
  /** The first idea of the cluster: the others are near-duplicates of it. */
  title: string;
  size: number;
}

/** Greedy clustering: each idea joins the first cluster whose first idea it nearly duplicates, or starts one. */
export function clusterIdeas(ideas: readonly { title: string; text: string }[], threshold = DUPLICATE_JACCARD) {
  const clusters: (IdeaCluster & { tokens: Set<string> })[] = [];
  for (const idea of ideas) {
    const tokens = tokenSet(idea.text);
    const home = clusters.find((cluster) => jaccard(cluster.tokens, tokens) >= threshold);
    if (home) home.size += 1;
    else clusters.push({ title: idea.title, size: 1, tokens });
  }
  return clusters.map(({ title, size }) => ({ title, size }));
}

/** Mean Jaccard similarity over all pairs of texts (0 with fewer than two). */
export function meanPairwiseJaccard(texts: readonly string[]): number {
  const sets = texts.slice(0, MAX_PAIRWISE).map(tokenSet);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      sum += jaccard(sets[i] as Set<string>, sets[j] as Set<string>);
      pairs += 1;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}

const average = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

/** The metrics of one epoch's scored rollouts. Shares of ideas are over the rollouts that produced an idea. */
export function epochMetrics(rollouts: readonly RlRollout[]): RlMetrics {
  const ideas = rollouts.flatMap((rollout) => (rollout.idea ? [rollout.idea] : []));
  const clusters = clusterIdeas(ideas);
  const top = clusters.reduce<IdeaCluster | undefined>(
    (best, c) => (!best || c.size > best.size ? c : best),
    undefined,
  );
  const rewards = rollouts.map((rollout) => rollout.reward ?? 0);
  return {
    rollouts: rollouts.length,
    meanReward: average(rewards),
    maxReward: rewards.length === 0 ? 0 : Math.max(...rewards),
    meanShapedReward: average(rollouts.map((rollout) => rollout.shapedReward ?? rollout.reward ?? 0)),
    executionRate: rollouts.length === 0 ? 0 : rollouts.filter((rollout) => rollout.executed).length / rollouts.length,
    duplicateShare: ideas.length === 0 ? 0 : (ideas.length - clusters.length) / ideas.length,
    distinctIdeas: clusters.length,
    meanJaccard: meanPairwiseJaccard(ideas.map((idea) => idea.text)),
    thinkingTokens: average(rollouts.map((rollout) => rollout.thinkingTokens)),
    ideaTokens: average(ideas.map((idea) => idea.tokens)),
    topIdeaShare: top && ideas.length > 0 ? top.size / ideas.length : 0,
    ...(top ? { topIdea: top.title } : {}),
  };
}

/** The metrics as `rl simulate --json` and `rl status --json` print them (snake_case). */
export function metricsJson(epoch: number, metrics: RlMetrics): Record<string, number | string> {
  return {
    epoch,
    mean_reward: metrics.meanReward,
    max_reward: metrics.maxReward,
    execution_rate: metrics.executionRate,
    duplicate_share: metrics.duplicateShare,
    distinct_ideas: metrics.distinctIdeas,
    mean_jaccard: metrics.meanJaccard,
    thinking_tokens: metrics.thinkingTokens,
    idea_tokens: metrics.ideaTokens,
    top_idea_share: metrics.topIdeaShare,
    mean_shaped_reward: metrics.meanShapedReward,
  };
}
