// Test helpers for the edits module: a temp copy of the fixture tree, and a hash of everything in a tree.
import { createHash } from 'node:crypto';
import { cp, lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import type { EditPolicy } from '../../../src/edits/index.js';

export const FIXTURE_TREE = fileURLToPath(new URL('../../fixtures/edits/tree', import.meta.url));

export const POLICY: EditPolicy = { frozen: ['harness/**'] };

const roots: string[] = [];

/** A fresh copy of the fixture tree (train.py, model.py, harness/evaluate.py) in a temp dir. */
export async function makeTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'groundwork-edits-'));
  roots.push(root);
  await cp(FIXTURE_TREE, root, { recursive: true });
  return root;
}

/** An empty temp dir, removed by `cleanTrees`. */
export async function makeEmptyDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'groundwork-edits-'));
  roots.push(root);
  return root;
}

export async function cleanTrees(): Promise<void> {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

/** A hash of every path, type, mode, link target and byte under `root`. */
export async function hashTree(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const info = await lstat(full);
      hash.update(`${prefix}${name}\0${info.mode}\0`);
      if (info.isSymbolicLink()) hash.update(`link:${await readlink(full)}\0`);
      else if (info.isDirectory()) await walk(full, `${prefix}${name}/`);
      else hash.update(await readFile(full));
    }
  };
  await walk(root, '');
  return hash.digest('hex');
}

export function readText(root: string, path: string): Promise<string> {
  return readFile(join(root, path), 'utf8');
}

/** Run `action`, expect an `edit_refused` error with `reason`, and return it. */
export async function expectRefusal(action: () => Promise<unknown>, reason: string): Promise<ResearchError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(ResearchError.is(caught, 'edit_refused'), `expected edit_refused, got ${String(caught)}`).toBe(true);
  const error = caught as ResearchError;
  expect(error.details?.reason, error.message).toBe(reason);
  return error;
}
