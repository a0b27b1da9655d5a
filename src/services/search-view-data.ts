// What the dashboard's search page and the MCP App's show_search both derive from a search's records: the baseline
// as a band of rewards, the evidence behind a leaderboard row, lineage nodes with titles, the best idea's path. Pure.
import { type MetricSpec, rewardOf } from '../domain/metric.js';
import type { ExperimentRole, Idea } from '../domain/records.js';
import { baselineRewardFor } from './search-stats.js';

export interface RewardBand {
  low: number;
  mid: number;
  high: number;
}

/** The baseline as rewards: its mean ± std through the reward rule (null without a baseline of `profile`). */
export function baselineBand(
  manifest: { metric: MetricSpec; baseline?: { value: number; std: number; profile: string } | undefined },
  profile: string | undefined,
): RewardBand | null {
  // A band measured on another profile is not what this search's results compare with (see baselineRewardFor).
  const { baseline, metric } = manifest;
  if (!baseline || baselineRewardFor(manifest, profile) === undefined) return null;
  const [a, b] = [rewardOf(baseline.value - baseline.std, metric), rewardOf(baseline.value + baseline.std, metric)];
  return { low: Math.min(a, b), mid: rewardOf(baseline.value, metric), high: Math.max(a, b) };
}

export const EVIDENCE = ['certified', 'certifying', 'single-seed', 'control'] as const;
export type Evidence = (typeof EVIDENCE)[number];

/** What a leaderboard row stands on: the control arm, more seeds that confirmed it, more seeds running, or one seed. */
export function evidenceOf(
  role: ExperimentRole,
  marks: { certified?: boolean | undefined; certifying?: boolean | undefined },
): Evidence {
  if (role === 'control') return 'control';
  if (marks.certified) return 'certified';
  return marks.certifying ? 'certifying' : 'single-seed';
}

export interface LineageNodeView {
  idea_id: string;
  parent_ids: string[];
  title: string;
  generation: number;
  reward: number | null;
}

/** An entry of the report's lineage with its idea's title and generation (the id and 0 when the idea is missing). */
export function lineageNode(
  entry: { idea_id: string; parent_ids: string[] },
  idea: Pick<Idea, 'title' | 'epoch'> | undefined,
  reward: number | null,
): LineageNodeView {
  return {
    idea_id: entry.idea_id,
    parent_ids: entry.parent_ids,
    title: idea?.title ?? entry.idea_id,
    generation: idea?.epoch ?? 0,
    reward,
  };
}

/** From the best idea up through its first known parent to a root, returned root first (cycles stop it). */
export function bestPath(
  nodes: readonly { idea_id: string; parent_ids: string[] }[],
  best: string | undefined,
): string[] {
  const known = new Map(nodes.map((node) => [node.idea_id, node]));
  const path: string[] = [];
  for (let at = best ? known.get(best) : undefined; at && !path.includes(at.idea_id);) {
    path.unshift(at.idea_id);
    at = at.parent_ids.map((parent) => known.get(parent)).find((node) => node !== undefined);
  }
  return path;
}
