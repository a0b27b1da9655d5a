// The duplicate gate and result reuse (src/search/duplicate-gate.ts, result-reuse.ts), loaded when present.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Experiment, Implementation } from '../domain/records.js';
import type { Store } from '../store/store.js';

export interface DuplicateGate {
  check(environment: string, ideaText: string): Promise<{ duplicateOf?: string; similarity: number }>;
}
type FindReusable = (
  store: Store,
  key: { environment: string; profile: string; diffHash: string },
) => Promise<Experiment | undefined>;

// Loaded by name so the runner builds before (or without) those modules; the signatures are the agreed ones.
const GATE_MODULE = './duplicate-gate.js';
const REUSE_MODULE = './result-reuse.js';

export async function loadDuplicateGate(store: Store): Promise<DuplicateGate | undefined> {
  const module = (await import(GATE_MODULE).catch(() => undefined)) as
    | { createDuplicateGate?: (store: Store) => DuplicateGate }
    | undefined;
  return module?.createDuplicateGate?.(store);
}

export async function loadFindReusable(): Promise<FindReusable | undefined> {
  const module = (await import(REUSE_MODULE).catch(() => undefined)) as
    | { findReusableExperiment?: FindReusable }
    | undefined;
  return module?.findReusableExperiment;
}

/** sha256 of the implementation's canonical diff ('' diff for none). */
export async function diffHashOf(home: string, implementation: Implementation): Promise<string> {
  const text = implementation.diffPath ? await readFile(join(home, implementation.diffPath), 'utf8').catch(() => '') : '';
  return createHash('sha256').update(text).digest('hex');
}
