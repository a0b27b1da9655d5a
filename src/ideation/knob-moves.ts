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
