// Neighbouring values of a knob: the moves the offline ideator can make.
import type { KnobValue } from '../environments/knob-values.js';
import type { Knob } from '../environments/manifest.js';

function clamp(value: number, knob: Knob): number {
  return Math.min(knob.max ?? value, Math.max(knob.min ?? value, value));
}

/** Values one step away from `current`, within the knob's range, excluding `current`. */
export function knobMoves(knob: Knob, current: KnobValue): KnobValue[] {
  if (knob.type === 'choice') return (knob.choices ?? []).filter((choice) => choice !== current);
  const value = Number(current);
  let candidates: number[];
  if (knob.scale === 'log') candidates = [value * 2, value / 2, value * 1.5, value / 1.5];
  else {
    const step = ((knob.max as number) - (knob.min as number)) / 4;
    candidates = [value + step, value - step, value + step / 2, value - step / 2];
  }
  const out: number[] = [];
  for (const candidate of candidates) {
    let next = clamp(candidate, knob);
    next = knob.type === 'int' ? Math.round(next) : Number(next.toPrecision(3));
    if (next !== value && !out.includes(next)) out.push(next);
  }
  return out;
}

/**
 * The value `scale` steps from `current` in `direction` (+1 up, −1 down): ×2^scale on a log knob, ±scale·range/4 on
 * a linear one, clamped to the range and rounded like knobMoves (an int knob moves by at least 1). Undefined when
 * the step cannot move (at the range's edge) or the knob is a choice.
 */
export function knobStep(knob: Knob, current: KnobValue, direction: 1 | -1, scale: number): KnobValue | undefined {
  if (knob.type === 'choice') return undefined;
  const value = Number(current);
  if (!Number.isFinite(value)) return undefined;
  let next: number;
  if (knob.scale === 'log' && value > 0) next = value * 2 ** (direction * scale);
  else {
    const range = (knob.max ?? value + 1) - (knob.min ?? value - 1);
    next = value + (direction * scale * range) / 4;
  }
  next = clamp(next, knob);
  if (knob.type === 'int') {
    next = Math.round(next);
    if (next === value) next = clamp(value + direction, knob);
  } else next = Number(next.toPrecision(3));
  return next === value ? undefined : next;
}
