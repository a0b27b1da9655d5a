// A knob's value as it appears in its editable file: read from the assignment line, written as a Python literal.
import type { Knob } from './manifest.js';

export type KnobValue = number | string;

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
