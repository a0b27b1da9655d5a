// The plausible range learned from history: a result that leaps far past everything an environment has produced
// is more likely a reward hack (a leak, a patched evaluator) than a discovery, so it is held back as suspicious.
import type { Direction } from '../domain/metric.js';

export interface LearnedRangeOptions {
  /** Earlier results needed before the check applies. */
  minHistory: number;
  /** How many times the spread of earlier results a new best may improve on the old best by. */
  jumpFactor: number;
}

/**
 * Why `value` is implausible given `history` (earlier results of the same environment and profile: one point per
 * distinct outcome of a distinct idea, see history-check.ts), or undefined. `baseline`: the recorded baseline of the
 * same profile; twice its seed spread is the least spread assumed, so a few near-identical ideas never make an
 * honest improvement look like a leap.
 */
export function leapsPastHistory(
  value: number,
  history: readonly number[],
  direction: Direction,
  options: LearnedRangeOptions,
  baseline?: { std: number },
): string | undefined {
  if (history.length < options.minHistory) return undefined;
  const sorted = [...history].sort((a, b) => a - b);
  // The spread of the middle 80%, so one freak result does not set the scale.
  const low = sorted[Math.floor(0.1 * (sorted.length - 1))] as number;
  const high = sorted[Math.ceil(0.9 * (sorted.length - 1))] as number;
  const spread = Math.max(high - low, 2 * (baseline?.std ?? 0));
  const best = supportedBest(sorted, direction, options.jumpFactor * spread);
  const gain = direction === 'min' ? best - value : value - best;
  if (spread <= 0 || gain <= options.jumpFactor * spread) return undefined;
  return (
    `${value} beats the best of ${history.length} earlier results (${best}) by ${round(gain)}, more than ` +
    `${options.jumpFactor}× their spread (${round(spread)}): held back as suspicious. Check the run's logs and ` +
    'edit for a leak or a patched evaluator; if the result is real, raise integrity.jumpFactor and run it again'
  );
}

/**
 * The best earlier result that the others support: a leader that itself leapt more than `limit` past the rest (one
 * that arrived before the check applied, such as a cheat among the first results) is not the reference, so it cannot
 * hide later leaps.
 */
function supportedBest(sorted: readonly number[], direction: Direction, limit: number): number {
  const ranked = direction === 'min' ? [...sorted] : [...sorted].reverse();
  let index = 0;
  while (index < ranked.length - 1) {
    const leader = ranked[index] as number;
    const next = ranked[index + 1] as number;
    if (limit <= 0 || Math.abs(leader - next) <= limit) break;
    index += 1;
  }
  return ranked[index] as number;
}

function round(value: number): number {
  return Number(value.toPrecision(3));
}
