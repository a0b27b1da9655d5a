// Readable text renderings of tool results, for clients that show only text.
import type { z } from 'zod';

import { MAX_WAIT_SECONDS } from '../src/domain/limits.js';
import { isActive } from '../src/domain/states.js';
import type { LeaderboardRowShape, RewardShape, SearchShape } from '../src/services/views.js';

export function num(value: number | undefined, digits = 4): string {
  return value === undefined ? '-' : Number(value.toFixed(digits)).toString();
}

export function signed(value: number | undefined, digits = 4): string {
  return value === undefined ? '-' : `${value >= 0 ? '+' : ''}${num(value, digits)}`;
}

export function rewardText(reward: z.output<typeof RewardShape>): string {
  const lines = [
    `experiment ${reward.experiment_id}: ${reward.status} (${reward.environment}, profile ${reward.profile})`,
  ];
  if (reward.metric) {
    const { metric } = reward;
    const spread =
      metric.std !== undefined && (metric.seeds ?? 1) > 1 ? ` ± ${num(metric.std)} over ${metric.seeds} seeds` : '';
    lines.push(
      `${metric.name} = ${num(metric.value)}${spread} (${metric.direction === 'min' ? 'lower' : 'higher'} is better)` +
        (metric.self_reported
          ? ' [self_reported: printed by the code being edited, not measured by a frozen harness]'
          : ''),
    );
  }
  if (reward.reward !== undefined) lines.push(`reward = ${num(reward.reward, 6)}`);
  if (reward.seed_insensitive) {
    lines.push(
      'flag seed_insensitive: every seed gave the same metric although the baseline varies with the seed; the code ignores GROUNDWORK_SEED, so the spread is fake and the result cannot be certified (seed the RNGs from GROUNDWORK_SEED)',
    );
  }
  if (reward.baseline) {
    const { baseline } = reward;
    lines.push(
      `baseline ${num(baseline.value)} ± ${num(baseline.std)}: delta ${signed(baseline.delta)}, ${baseline.improved ? 'better than the baseline' : 'not better than the baseline'}${baseline.beyond_noise === false ? ' (within seed noise)' : ''}`,
    );
    if (baseline.profile !== undefined && baseline.profile !== reward.profile) {
      lines.push(
        `note: the baseline was measured with profile "${baseline.profile}" and this run used "${reward.profile}", so the comparison says little; run with profile "${baseline.profile}" to compare`,
      );
    }
  }
  if (reward.sandbox === 'off') {
    lines.push(
      'sandbox: off (executor.local.sandbox "off", or bubblewrap missing for a baseline): the jobs ran unsandboxed and could read held-out data or change the store, so this result is not trustworthy',
    );
  }
  if (reward.failure) {
    lines.push(`failure: ${reward.failure.category}: ${reward.failure.message}`);
    if (reward.failure.log_tail) lines.push('log tail:', reward.failure.log_tail);
  }
  if (isActive({ state: reward.status })) {
    lines.push(
      `still ${reward.status}: call get_reward again (wait_seconds up to ${MAX_WAIT_SECONDS}) to wait for the result`,
    );
  }
  return lines.join('\n');
}

export function searchText(search: z.output<typeof SearchShape>): string {
  const lines = [
    `search ${search.search_id}: ${search.status} (${search.strategy} on ${search.environment}, epoch ${search.epoch}, ${search.experiments} experiments)`,
  ];
  if (search.error) lines.push(`error: ${search.error}`);
  return lines.join('\n');
}

/** ` [certified, N seeds]`, ` [single seed]`, or ` [N seeds, not certified]`. */
function seedMark(row: z.output<typeof LeaderboardRowShape>): string {
  if (row.seeds === undefined) return '';
  if (row.certified) return ` [certified, ${row.seeds} seeds]`;
  return row.seeds <= 1 ? ' [single seed]' : ` [${row.seeds} seeds, not certified]`;
}

export function leaderboardText(rows: readonly z.output<typeof LeaderboardRowShape>[]): string {
  if (rows.length === 0) return 'no experiments yet';
  return rows
    .map((row) => {
      const result =
        row.metric !== undefined
          ? `metric ${num(row.metric)}${row.self_reported ? ' [self_reported]' : ''}${seedMark(row)}, reward ${num(row.reward, 6)}${row.delta !== undefined ? `, delta ${signed(row.delta)}${row.improved ? ' (better than baseline)' : ''}` : ''}`
          : (row.failure ?? row.status);
      return `${row.rank}. ${row.title} [${row.experiment_id}]: ${result}`;
    })
    .join('\n');
}
