// Materialise what a run needs: the training workspace (environment + edit), the harness copy, frozen-file hashes.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

import { firstMatch } from '../util/glob.js';
import type { Environment } from './registry.js';
import { linkWorkspaceData } from './source.js';

/** A file the implementation changed: new content, or null when it deletes the file. */
export interface ChangedFile {
  path: string;
  content: string | null;
}

const SKIP = new Set(['__pycache__', '.git', 'node_modules', '.ipynb_checkpoints']);

/** Every file under `root`, as POSIX paths relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  await walk(root);
  return out.sort();
}

function inHarness(path: string, environment: Environment): boolean {
  const harness = environment.manifest.harness;
  return harness !== undefined && (path === harness || path.startsWith(`${harness}/`));
}

/** Copy the environment without its harness into `dest`, then apply the changed files. */
export async function materializeWorkspace(
  environment: Environment,
  changes: readonly ChangedFile[],
  dest: string,
): Promise<void> {
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  for (const path of await listFiles(environment.dir)) {
    if (inHarness(path, environment)) continue;
    await mkdir(dirname(join(dest, path)), { recursive: true });
    await copyFile(join(environment.dir, path), join(dest, path));
  }
  // A repository's large data is linked read-only where it lies, never copied (environments made by env init).
  await linkWorkspaceData(environment, dest);
  for (const change of changes) {
    const target = join(dest, change.path);
    if (change.content === null) await rm(target, { force: true });
    else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, change.content);
    }
  }
}

/** A fresh copy of the harness folder, made after training so the training code cannot have touched it. */
export async function materializeHarness(environment: Environment, dest: string): Promise<void> {
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  const harness = environment.manifest.harness;
  if (!harness) return;
  for (const path of await listFiles(join(environment.dir, harness))) {
    await mkdir(dirname(join(dest, path)), { recursive: true });
    await copyFile(join(environment.dir, harness, path), join(dest, path));
  }
}

/** sha256 of every file under `root` that matches a frozen glob. */
export async function hashFrozen(root: string, frozen: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const path of await listFiles(root)) {
    if (firstMatch(path, frozen) === undefined) continue;
    hashes.set(
      path,
      createHash('sha256')
        .update(await readFile(join(root, path)))
        .digest('hex'),
    );
  }
  return hashes;
}

/** Frozen files that differ between two hash sets (changed, added or removed). */
export function changedFrozen(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed = new Set<string>();
  for (const [path, hash] of before) if (after.get(path) !== hash) changed.add(path);
  for (const path of after.keys()) if (!before.has(path)) changed.add(path);
  return [...changed].sort();
}
