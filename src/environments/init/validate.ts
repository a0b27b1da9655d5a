// The checks env init makes before writing anything: globs that name files, frozen vs editable, data vs editable.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { ResearchError } from '../../domain/errors.js';
import { firstMatch, matchesGlob } from '../../util/glob.js';
import type { DataLink } from '../source.js';

const GLOB = /[*?[]/;

/** Up to `limit` paths under a data folder, relative to the workspace (`prefix/…`). */
async function dataFiles(target: string, prefix: string, limit = 10_000): Promise<string[]> {
  const out: string[] = [prefix];
  const visit = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (out.length >= limit) return;
      out.push(`${rel}/${entry.name}`);
      if (entry.isDirectory()) await visit(join(dir, entry.name), `${rel}/${entry.name}`);
    }
  };
  await visit(target, prefix);
  return out;
}

export interface GlobCheck {
  editable: readonly string[];
  frozen: readonly string[];
  /** The files the environment takes from the repository (data excluded). */
  files: readonly string[];
  data: readonly DataLink[];
}

/** Throws bad_input for a contradiction; returns warnings for what is merely odd. */
export async function checkGlobs(check: GlobCheck): Promise<string[]> {
  const warnings: string[] = [];
  for (const link of check.data) {
    if (link.at !== 'workspace') continue;
    for (const path of await dataFiles(link.target, link.path)) {
      const glob = firstMatch(path, check.editable);
      if (glob !== undefined) {
        throw new ResearchError(
          'bad_input',
          `--data ${link.path} lies inside the editable set (--editable ${glob} matches ${path}): data is linked read-only and never edited; narrow --editable or leave that folder out of --data`,
        );
      }
    }
  }
  for (const glob of check.editable) {
    const named = check.files.filter((path) => matchesGlob(path, glob));
    if (named.length === 0) {
      throw new ResearchError(
        'bad_input',
        `--editable ${glob} matches no file the environment takes from the repository (its tracked files in a git checkout); check the path, or git add the file`,
      );
    }
    const open = named.filter((path) => firstMatch(path, check.frozen) === undefined);
    if (open.length === 0 || (!GLOB.test(glob) && open.length < named.length)) {
      const path = named[0] as string;
      throw new ResearchError(
        'bad_input',
        `--frozen ${firstMatch(path, check.frozen)} covers the editable file ${path}: a file is either editable or frozen; drop it from one of them`,
      );
    }
  }
  for (const glob of check.frozen) {
    if (!check.files.some((path) => matchesGlob(path, glob))) warnings.push(`--frozen ${glob} matches no file`);
  }
  return warnings;
}

/** Files of the repository that the evaluation command runs: they are frozen, and must not be editable. */
export function evaluationFiles(
  evaluate: readonly string[],
  editable: readonly string[],
  files: readonly string[],
): string[] {
  const scripts = evaluate
    .flatMap((part) => part.split(/\s+/))
    .map((part) => part.replace(/^\.\//, ''))
    .filter((part) => files.includes(part));
  for (const script of scripts) {
    const glob = firstMatch(script, editable);
    if (glob !== undefined) {
      throw new ResearchError(
        'bad_input',
        `the evaluation command runs ${script}, which --editable ${glob} makes editable: an edit could then change how it is measured; narrow --editable`,
      );
    }
  }
  return [...new Set(scripts)];
}
