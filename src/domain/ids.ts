// Stable, unique, sortable ids: a kind prefix, a millisecond timestamp and random bits.
import { randomBytes } from 'node:crypto';

export type IdKind = 'idea' | 'impl' | 'exp' | 'search' | 'sched' | 'call' | 'rl';

let lastMillis = 0;
let sequence = 0;

/** `exp_01HV…`-style id: time-ordered within a process, unique across processes and searches. */
export function newId(kind: IdKind, now: number = Date.now()): string {
  if (now === lastMillis) sequence += 1;
  else {
    lastMillis = now;
    sequence = 0;
  }
  const time = now.toString(36).padStart(9, '0');
  const seq = sequence.toString(36).padStart(3, '0');
  return `${kind}_${time}${seq}${randomBytes(5).toString('hex')}`;
}

export function idKind(id: string): IdKind | undefined {
  const prefix = id.split('_', 1)[0];
  return (['idea', 'impl', 'exp', 'search', 'sched', 'call', 'rl'] as const).find((kind) => kind === prefix);
}
