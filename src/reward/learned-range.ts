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
 * Why `value` is implausible given `history` (every earlier result of the same environment and profile), or
 * undefined. The spread is measured over `scale.distinct` when given (each distinct outcome of each distinct idea
 * once, see history-check.ts), so reruns of one idea never shrink it; `scale.baseline`: the recorded baseline of the
 * same profile, twice whose seed spread is the least spread assumed.
 */
export function leapsPastHistory(
  value: number,
  history: readonly number[],
  direction: Direction,
  options: LearnedRangeOptions,
  scale: { distinct?: readonly number[]; baseline?: { std: number } } = {},
): string | undefined {
  if (history.length < options.minHistory) return undefined;
  // Too few distinct outcomes (reruns of a handful of deterministic ideas) say nothing about the spread.
  const distinct = scale.distinct ?? history;
  if (distinct.length < Math.ceil(options.minHistory / 2)) return undefined;
  const sorted = [...history].sort((a, b) => a - b);
  const spread = Math.max(middleSpread(distinct), 2 * (scale.baseline?.std ?? 0));
  const best = supportedBest(sorted, direction, options.jumpFactor * spread);
  const gain = direction === 'min' ? best - value : value - best;
  if (spread <= 0 || gain <= options.jumpFactor * spread) return undefined;
  return (
    `${value} beats the best of ${history.length} earlier results (${best}) by ${round(gain)}, more than ` +
    `${options.jumpFactor}× their spread (${round(spread)}): held back as suspicious. Check the run's logs and ` +
    'edit for a leak or a patched evaluator; if the result is real, raise integrity.jumpFactor and run it again'
  );
}

/** The spread of the middle 80% of `values`, so one freak result does not set the scale; 0 for fewer than two. */
function middleSpread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    (sorted[Math.ceil(0.9 * (sorted.length - 1))] as number) - (sorted[Math.floor(0.1 * (sorted.length - 1))] as number)
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
