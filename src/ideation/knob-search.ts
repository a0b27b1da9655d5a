// The offline ideator's memory: replays past knob trials into a step size (the 1/5th success rule) and per-knob,
// per-direction success counts, so its next moves follow what worked. Pure; no I/O.
import { rewardOf } from '../domain/metric.js';
import { isActive } from '../domain/states.js';
import type { KnobValue } from '../environments/knob-values.js';
import type { Manifest } from '../environments/manifest.js';
import type { IdeaOutcome } from './ideator.js';

export type Settings = Record<string, KnobValue>;

/** Step size after a success and after a failure: equal in the long run at a 1/5 success rate (Rechenberg). */
export const STEP_GROW = 1.5;
export const STEP_SHRINK = STEP_GROW ** -0.25;
export const MIN_STEP = 1 / 8;
export const MAX_STEP = 4;

export interface KnobTrial {
  id: string;
  settings: Settings;
  /** Reward when it ran and succeeded; -Infinity when it failed (a failed edit or run). */
  reward: number;
}

export interface DirectionStats {
  successes: number;
  failures: number;
}

export interface KnobSearchState {
  /** Step multiplier (1 = ×2 on a log knob, a quarter of the range on a linear one). */
  step: number;
  successes: number;
  trials: number;
  /** Best finished trial, when one beat the baseline (or, without a baseline, any). */
  best?: KnobTrial;
  finished: Map<string, KnobTrial>;
  /** Keyed `knob:+`, `knob:-` or `knob=value` (choices). */
  directions: Map<string, DirectionStats>;
  baselineReward?: number;
}

/** A move's key: which knob, which way (numbers) or to what (choices). */
export function directionKey(name: string, from: KnobValue | undefined, to: KnobValue): string {
  if (typeof to === 'number' && typeof from === 'number') return `${name}:${to > from ? '+' : '-'}`;
  return `${name}=${String(to)}`;
}

/** The knobs that differ between two settings, as direction keys. */
export function movesBetween(parent: Settings, child: Settings): string[] {
  return Object.keys(child)
    .filter((name) => child[name] !== parent[name])
    .map((name) => directionKey(name, parent[name], child[name] as KnobValue));
}

function outcomeReward(outcome: IdeaOutcome): number | undefined {
  const { experiment } = outcome;
  if (!experiment) return outcome.implementationError !== undefined ? Number.NEGATIVE_INFINITY : undefined;
  if (isActive(experiment)) return undefined;
  if (experiment.state === 'succeeded' && experiment.result) return experiment.result.reward;
  return experiment.state === 'cancelled' ? undefined : Number.NEGATIVE_INFINITY;
}

/**
 * Replays finished knob trials in the order given (oldest first). A trial succeeds when it beats its parent (its
 * first recorded parent that is a finished trial; else the baseline; else the best trial before it).
 */
export function replayKnobTrials(manifest: Manifest, base: Settings, history: readonly IdeaOutcome[]): KnobSearchState {
  const baselineReward = manifest.baseline ? rewardOf(manifest.baseline.value, manifest.metric) : undefined;
  const state: KnobSearchState = {
    step: 1,
    successes: 0,
    trials: 0,
    finished: new Map(),
    directions: new Map(),
    ...(baselineReward === undefined ? {} : { baselineReward }),
  };
  let bestSoFar = baselineReward ?? Number.NEGATIVE_INFINITY;
  for (const outcome of history) {
    const { idea } = outcome;
    if (!idea.knobs) continue;
    const reward = outcomeReward(outcome);
    if (reward === undefined) continue;
    const settings = { ...base, ...idea.knobs };
    const parent = idea.parentIds.map((id) => state.finished.get(id)).find((trial) => trial !== undefined);
    const parentReward = parent?.reward ?? baselineReward ?? bestSoFar;
    const success = reward > parentReward;
    state.trials++;
    if (success) state.successes++;
    state.step = Math.min(MAX_STEP, Math.max(MIN_STEP, state.step * (success ? STEP_GROW : STEP_SHRINK)));
    for (const key of movesBetween(parent?.settings ?? base, settings)) {
      const stats = state.directions.get(key) ?? { successes: 0, failures: 0 };
      if (success) stats.successes++;
      else stats.failures++;
      state.directions.set(key, stats);
    }
    const trial = { id: idea.id, settings, reward };
    state.finished.set(idea.id, trial);
    if (reward > bestSoFar) {
      bestSoFar = reward;
      state.best = trial;
    }
  }
  return state;
}
