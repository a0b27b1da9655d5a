// Keep every edited path inside the tree: no absolute paths, no `..`, no symlinks that lead out.
import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative } from 'node:path';

import { refuse } from './refuse.js';

/** A model's path as a clean POSIX path relative to the tree root; refuses absolute and escaping paths. */
export function normalizeEditPath(raw: string): string {
  const path = raw.trim();
  if (path.includes('\0')) throw refuse('outside_tree', `the path ${JSON.stringify(path)} contains a NUL byte.`, path);
  if (path.startsWith('/') || path.startsWith('~') || /^[A-Za-z]:[\\/]/.test(path)) {
    throw refuse(
      'outside_tree',
      `${path} is an absolute path; name files relative to the project root (e.g. train.py, src/model.py).`,
      path,
    );
  }
  const normalized = posix
    .normalize(path)
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) {
    throw refuse(
      'outside_tree',
      `${path} points outside the project; name files relative to the project root (e.g. train.py).`,
      path,
    );
  }
  if (normalized === '' || normalized === '.') throw refuse('outside_tree', `"${path}" does not name a file.`, path);
  return normalized;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The absolute path of `path` (already normalized) under `root`; refuses symlinks that leave the tree, and symlinked files. */
export async function resolveInTree(root: string, path: string): Promise<string> {
  const realRoot = await realpath(root);
  const full = join(root, path);
  let existing = full;
  while (!(await exists(existing)) && existing !== root) existing = dirname(existing);
  const real = await realpath(existing).catch(() => existing);
  if (!inside(realRoot, real)) {
    throw refuse(
      'outside_tree',
      `${path} resolves outside the project through a symbolic link; edit files inside the project only.`,
      path,
    );
  }
  if (existing === full && (await lstat(full)).isSymbolicLink()) {
    throw refuse(
      'outside_tree',
      `${path} is a symbolic link (to ${relative(realRoot, real)}); edit the file it points to instead.`,
      path,
    );
  }
  return full;
}
