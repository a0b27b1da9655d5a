// Neighbouring values of a knob: the moves the offline ideator can make.
import type { Knob } from '../environments/manifest.js';

export type KnobValue = number | string;

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

/** A Python literal for the value. */
export function formatKnobValue(knob: Knob, value: KnobValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (knob.type === 'int') return String(Math.round(value));
  const text = String(value);
  return /[.eE]/.test(text) || !Number.isFinite(value) ? text : `${text}.0`;
}

/** The value assigned on the knob's line in `source`, parsed as a number when it is one. */
export function readKnobValue(knob: Knob, source: string): KnobValue | undefined {
  const line = source.match(new RegExp(`^${knob.variable}\\s*=\\s*([^#\\n]+)`, 'm'));
  if (!line?.[1]) return undefined;
  const raw = line[1].trim();
  const number = Number(raw.replace(/_/g, ''));
  if (Number.isFinite(number) && raw !== '') return number;
  return raw.replace(/^['"]|['"]$/g, '');
}
