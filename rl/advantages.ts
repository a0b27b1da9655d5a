// Group-relative advantages: GRPO's (r − mean) / std within each group, and a risk-seeking variant for the best reward.

export const STD_EPS = 1e-6;

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Population standard deviation (GRPO normalises by the group's spread). */
export function std(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(mean(values.map((value) => (value - m) ** 2)));
}

/**
 * GRPO (Shao et al. 2024): A_i = (r_i − mean(r)) / (std(r) + eps) over one group. A group whose rewards are all
 * equal teaches nothing: every advantage is 0.
 */
export function grpoAdvantages(rewards: readonly number[], eps = STD_EPS): number[] {
  const m = mean(rewards);
  const s = std(rewards);
  if (s < eps) return rewards.map(() => 0);
  return rewards.map((reward) => (reward - m) / (s + eps));
}

/** The q-quantile of `values` (linear interpolation between order statistics, like numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/**
 * Risk-seeking policy gradient (Petersen et al. 2021, deep symbolic regression): only the group's top
 * `1 − q` share learns, with A_i ∝ r_i − r_q for r_i above the q-quantile r_q, and 0 for the rest, scaled so the
 * elite's mean advantage is 1 (the spread of a group with failures at 0 would otherwise drown the differences
 * between good ideas). Failures and ordinary ideas are not pushed down directly: the objective is the best
 * reward of a group, not its mean.
 */
export function riskSeekingAdvantages(rewards: readonly number[], q = 0.75, eps = STD_EPS): number[] {
  const threshold = quantile(rewards, q);
  const gaps = rewards.map((reward) => Math.max(0, reward - threshold));
  const elite = gaps.filter((gap) => gap > 0);
  const scale = elite.length === 0 ? 0 : elite.reduce((sum, gap) => sum + gap, 0) / elite.length;
  if (scale < eps) return rewards.map(() => 0);
  return gaps.map((gap) => gap / scale);
}

/** Advantages for rollouts of several groups: each group is normalised on its own; results keep the input order. */
export function groupwise(
  items: readonly { group: number; reward: number }[],
  advantages: (rewards: readonly number[]) => number[],
): number[] {
  const out = new Array<number>(items.length).fill(0);
  const byGroup = new Map<number, number[]>();
  items.forEach((item, index) => byGroup.set(item.group, [...(byGroup.get(item.group) ?? []), index]));
  for (const indexes of byGroup.values()) {
    const values = advantages(indexes.map((index) => (items[index] as { reward: number }).reward));
    indexes.forEach((index, k) => (out[index] = values[k] as number));
  }
  return out;
}
