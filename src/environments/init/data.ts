// Resolve --data entries to read-only links: paths or globs in the repository, `~/…` (the job's home), or absolute.
import { lstat, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';

import { ResearchError } from '../../domain/errors.js';
import { matchesGlob } from '../../util/glob.js';
import type { DataLink } from '../source.js';

const GLOB = /[*?[]/;
const posix = (path: string): string => path.split(sep).join('/');

/** Every file and folder of the repository (not inside .git), as relative POSIX paths. */
async function entries(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(dir, entry.name);
      out.push(posix(relative(root, full)));
      if (entry.isDirectory() && out.length < 200_000) await visit(full);
    }
  };
  await visit(root);
  return out;
}

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

/** The links for one --data entry; throws bad_input when it names nothing. */
async function resolveEntry(entry: string, repo: string, all: () => Promise<string[]>): Promise<DataLink[]> {
  const home = homedir();
  if (entry === '~' || entry.startsWith('~/') || isAbsolute(entry)) {
    const target = entry.startsWith('~') ? join(home, entry.slice(1)) : resolve(entry);
    if (!(await exists(target))) throw new ResearchError('bad_input', `--data ${entry}: ${target} does not exist`);
    if (inside(target, repo)) return resolveEntry(posix(relative(repo, target)) || '.', repo, all);
    if (inside(target, home) && target !== home) return [{ path: posix(relative(home, target)), at: 'home', target }];
    return [{ path: target, at: 'absolute', target }];
  }
  const cleaned = posix(normalize(entry)).replace(/\/\*\*$|\/$/, '');
  if (cleaned === '.' || cleaned === '' || cleaned.startsWith('../')) {
    throw new ResearchError(
      'bad_input',
      `--data ${entry}: give a folder or file inside the repository, not the whole of it or outside it`,
    );
  }
  if (!GLOB.test(cleaned)) {
    if (!(await exists(join(repo, cleaned)))) {
      throw new ResearchError('bad_input', `--data ${entry}: ${join(repo, cleaned)} does not exist`);
    }
    return [{ path: cleaned, at: 'workspace', target: join(repo, cleaned) }];
  }
  const matched = (await all()).filter((path) => matchesGlob(path, cleaned));
  // Only the top-most matches: a matched folder is linked whole.
  const top = matched.filter((path) => !matched.some((other) => other !== path && path.startsWith(`${other}/`)));
  if (top.length === 0) throw new ResearchError('bad_input', `--data ${entry} matches nothing in ${repo}`);
  return top.map((path) => ({ path, at: 'workspace', target: join(repo, path) }));
}

/** The read-only data links of the --data entries, without duplicates. */
export async function resolveData(data: readonly string[], repo: string): Promise<DataLink[]> {
  let cached: string[] | undefined;
  const all = async (): Promise<string[]> => (cached ??= await entries(repo));
  const links: DataLink[] = [];
  for (const entry of data) {
    for (const found of await resolveEntry(entry, repo, all)) {
      if (!links.some((link) => link.at === found.at && link.path === found.path)) links.push(found);
    }
  }
  return links;
}

/** True when `path` (relative) is a data link's path or lies under one. */
export function underData(path: string, links: readonly DataLink[]): DataLink | undefined {
  return links.find((link) => link.at === 'workspace' && (path === link.path || path.startsWith(`${link.path}/`)));
}
