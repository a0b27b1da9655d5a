// Infer knobs from an editable Python file's top-level `NAME = number` constants, so the offline ideator can search.
import type { Knob } from '../manifest.js';

const MAX_KNOBS = 16;
const ASSIGNMENT = /^([A-Z][A-Z0-9_]*)\s*=\s*([-+]?(?:\d[\d_]*\.?[\d_]*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:#\s*(.*))?$/gm;
/** Constants that are not hyperparameters. */
const NOT_A_KNOB = /SEED|VERSION|PORT|RANK|WORLD|DEVICE|VOCAB|EVAL_TOKENS|BUDGET/;

function round(value: number): number {
  return Number(value.toPrecision(3));
}

function knobFor(file: string, variable: string, raw: string, comment: string | undefined): Knob | undefined {
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0 || NOT_A_KNOB.test(variable)) return undefined;
  const description = comment?.trim() || `${variable} in ${file}`;
  if (/^[-+]?[\d_]+$/.test(raw)) {
    return {
      description,
      file,
      variable,
      type: 'int',
      default: value,
      min: Math.max(1, Math.floor(value / 2)),
      max: Math.max(2, value * 2),
    };
  }
  // Values below 1 are often fractions (betas, dropout, ratios): the range stays below 1 for them.
  const max = value < 1 ? Math.min(value * 4, value + (1 - value) / 2) : value * 4;
  return {
    description,
    file,
    variable,
    type: 'float',
    default: value,
    min: round(value / 4),
    max: round(max),
    scale: 'log',
  };
}

/** Knobs for the top-level numeric constants of the given editable Python files (each assigned exactly once). */
export function inferKnobs(files: Record<string, string>): Record<string, Knob> {
  const knobs: Record<string, Knob> = {};
  const counts = new Map<string, number>();
  for (const [file, text] of Object.entries(files)) {
    if (!file.endsWith('.py')) continue;
    for (const match of text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)) {
      const key = `${file}:${match[1]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  for (const [file, text] of Object.entries(files)) {
    if (!file.endsWith('.py')) continue;
    for (const match of text.matchAll(ASSIGNMENT)) {
      const [, variable, raw, comment] = match as unknown as [string, string, string, string | undefined];
      if (counts.get(`${file}:${variable}`) !== 1 || Object.keys(knobs).length >= MAX_KNOBS) continue;
      const knob = knobFor(file, variable, raw, comment);
      if (!knob) continue;
      const name = variable.toLowerCase();
      knobs[knobs[name] ? `${file.replace(/\.py$/, '').replace(/[^A-Za-z0-9]+/g, '_')}_${name}` : name] = knob;
    }
  }
  return knobs;
}
