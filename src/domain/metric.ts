// Metric direction and the scalar reward derived from a metric value.
import { z } from 'zod';

export const Direction = z.enum(['min', 'max']);
export type Direction = z.infer<typeof Direction>;

export const MetricSpec = z.object({
  name: z.string().min(1),
  direction: Direction,
  /**
   * How a metric value becomes a reward (higher is always better):
   * `inverse` (1/value, the paper's reward for losses), `negate` (-value), `identity` (value).
   * Defaults: `inverse` for `min`, `identity` for `max`.
   */
  reward: z.enum(['inverse', 'negate', 'identity']).optional(),
  /**
   * True when the value is printed by the code being edited (read from its training log), not measured by a frozen
   * harness: such results are marked `self_reported` wherever they are shown.
   */
  selfReported: z.boolean().optional(),
});
export type MetricSpec = z.infer<typeof MetricSpec>;

/** How the metric's values become rewards: as the manifest says, else `inverse` for `min` and `identity` for `max`. */
export function rewardRule(metric: MetricSpec): NonNullable<MetricSpec['reward']> {
  return metric.reward ?? (metric.direction === 'min' ? 'inverse' : 'identity');
}

/** Higher is better, whatever the metric's direction. */
export function rewardOf(value: number, metric: MetricSpec): number {
  const rule = rewardRule(metric);
  if (rule === 'identity') return value;
  if (rule === 'negate') return -value;
  return value > 0 ? 1 / value : Number.NEGATIVE_INFINITY;
}

/** True when `a` is strictly better than `b` under the metric's direction. */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === 'min' ? a < b : a > b;
}
