// Refuse edits that copy held-out data: a cached set of every 64-character stretch of an environment's held-out text.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import { heldOutFiles } from '../environments/environment-files.js';
import type { Environment } from '../environments/registry.js';

/** An added stretch this long, shared verbatim with held-out data, is contamination. */
export const SHINGLE_CHARS = 64;
/** Held-out text indexed per environment at most (beyond it, files are skipped and say so). */
const MAX_INDEXED_CHARS = 8_000_000;

// Two polynomial rolling hashes modulo primes below 2^26, combined into one exact 52-bit number.
const P1 = 67_108_859;
const P2 = 67_108_837;
const BASE = 65_599;
const pow = (p: number): number => {
  let result = 1;
  for (let i = 0; i < SHINGLE_CHARS - 1; i++) result = (result * BASE) % p;
  return result;
};
const TOP1 = pow(P1);
const TOP2 = pow(P2);

/** The key of every window of `text` (SHINGLE_CHARS code units long), with the window's start. */
function* windows(text: string): Generator<[number, number]> {
  if (text.length < SHINGLE_CHARS) return;
  let h1 = 0;
  let h2 = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (i >= SHINGLE_CHARS) {
      const out = text.charCodeAt(i - SHINGLE_CHARS);
      h1 = (h1 - ((out * TOP1) % P1) + P1) % P1;
      h2 = (h2 - ((out * TOP2) % P2) + P2) % P2;
    }
    h1 = (h1 * BASE + code) % P1;
    h2 = (h2 * BASE + code) % P2;
    if (i >= SHINGLE_CHARS - 1) yield [h1 * 67_108_864 + h2, i - SHINGLE_CHARS + 1];
  }
}

/**
 * Text as compared: line endings unified; and, for the second form, only letters and digits, lower-cased, with
 * escape sequences (`\\n`, `\\t`) read as spaces, so held-out text pasted into a string literal or re-wrapped is caught.
 */
const exact = (text: string): string => text.replace(/\r\n?/g, '\n');
const loose = (text: string): string =>
  exact(text)
    .replace(/\\[nrt]/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, '')
    .toLowerCase();

interface Source {
  path: string;
  exact: string;
  loose: string;
}

export interface HeldOutIndex {
  /** Held-out files indexed. */
  files: string[];
  /** Held-out files not indexed, with why (binary, too large): an edit is not checked against them. */
  skipped: { path: string; reason: string }[];
  /** The first held-out file sharing a SHINGLE_CHARS-long stretch with `added`, or undefined. */
  match(added: string): string | undefined;
}

function buildIndex(sources: Source[], skipped: HeldOutIndex['skipped']): HeldOutIndex {
  const keys = { exact: new Map<number, [number, number]>(), loose: new Map<number, [number, number]>() };
  sources.forEach((source, file) => {
    for (const form of ['exact', 'loose'] as const) {
      for (const [key, at] of windows(source[form])) if (!keys[form].has(key)) keys[form].set(key, [file, at]);
    }
  });
  const find = (form: 'exact' | 'loose', text: string): string | undefined => {
    for (const [key, at] of windows(text)) {
      const hit = keys[form].get(key);
      if (!hit) continue;
      const source = sources[hit[0]] as Source;
      // Confirm the stretch itself, so a hash collision never refuses an honest edit.
      const stretch = text.slice(at, at + SHINGLE_CHARS);
      if (source[form].slice(hit[1], hit[1] + SHINGLE_CHARS) === stretch || source[form].includes(stretch)) {
        return source.path;
      }
    }
    return undefined;
  };
  return {
    files: sources.map((source) => source.path),
    skipped,
    match: (added) => find('exact', exact(added)) ?? find('loose', loose(added)),
  };
}

/** Indexes by environment folder, rebuilt when a held-out file's size or modification time changes. */
const cache = new Map<string, { stamp: string; index: Promise<HeldOutIndex> }>();

async function stampOf(environment: Environment, paths: string[]): Promise<string> {
  const parts = await Promise.all(
    paths.map(async (path) => {
      const info = await stat(join(environment.dir, path));
      return `${path}:${info.size}:${info.mtimeMs}`;
    }),
  );
  return parts.join('|');
}

/** The held-out index of `environment` (cached per environment folder and held-out file stamps). */
export async function heldOutIndex(environment: Environment): Promise<HeldOutIndex> {
  const paths = await heldOutFiles(environment);
  const stamp = await stampOf(environment, paths);
  const cached = cache.get(environment.dir);
  if (cached && cached.stamp === stamp) return cached.index;
  const index = (async () => {
    const sources: Source[] = [];
    const skipped: HeldOutIndex['skipped'] = [];
    let total = 0;
    for (const path of paths) {
      const bytes = await readFile(join(environment.dir, path));
      if (bytes.subarray(0, 8192).includes(0)) {
        skipped.push({ path, reason: 'binary file: edits are not checked against it' });
        continue;
      }
      if (total + bytes.length > MAX_INDEXED_CHARS) {
        skipped.push({ path, reason: `over the ${MAX_INDEXED_CHARS}-character index limit: not checked` });
        continue;
      }
      total += bytes.length;
      const text = bytes.toString('utf8');
      sources.push({ path, exact: exact(text), loose: loose(text) });
    }
    return buildIndex(sources, skipped);
  })();
  cache.set(environment.dir, { stamp, index });
  index.catch(() => cache.delete(environment.dir));
  return index;
}

/** The lines of `after` that `before` does not have (in order), joined: the text an edit adds to one file. */
export function addedText(before: string | null, after: string): string {
  const old = new Map<string, number>();
  for (const line of (before ?? '').split('\n')) old.set(line, (old.get(line) ?? 0) + 1);
  const added: string[] = [];
  for (const line of after.split('\n')) {
    const left = old.get(line) ?? 0;
    if (left > 0) old.set(line, left - 1);
    else added.push(line);
  }
  return added.join('\n');
}

/** Throws `edit_refused` (reason `contaminated`) when a change adds a long stretch of held-out data. */
export async function checkContamination(
  environment: Environment,
  changes: readonly { path: string; before: string | null; after: string | null }[],
): Promise<void> {
  if ((environment.manifest.heldOut ?? []).length === 0) return;
  const index = await heldOutIndex(environment);
  if (index.files.length === 0) return;
  for (const change of changes) {
    if (change.after === null) continue;
    const source = index.match(addedText(change.before, change.after));
    if (source === undefined) continue;
    throw new ResearchError(
      'edit_refused',
      `the edit to ${change.path} copies held-out data: it shares a stretch of ${SHINGLE_CHARS}+ characters with ` +
        `${source}, which is sealed (only the frozen evaluation may read it). Training on the evaluation data ` +
        'games the reward; remove the copied text and train only on the training data',
      { details: { reason: 'contaminated', path: change.path, heldOut: source } },
    );
  }
}
