// Apply an edit to a tree all-or-nothing: plan everything first, then write, restoring the originals on failure.
import { chmod, lstat, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { errorMessage } from '../domain/errors.js';
import { atomicWrite } from '../util/atomic-write.js';
import { canonicalDiff, countChangedLines } from './canonical-diff.js';
import { planEdit } from './plan-edit.js';
import { refuse } from './refuse.js';
import type { EditPolicy, EditSummary, FileChange } from './types.js';

interface Written {
  change: FileChange;
  full: string;
  mode?: number;
  /** The outermost folder this write created, removed again on rollback. */
  createdDir?: string;
}

async function firstMissingDir(root: string, full: string): Promise<string | undefined> {
  let missing: string | undefined;
  for (let dir = dirname(full); dir !== root && dir.length > root.length; dir = dirname(dir)) {
    try {
      await lstat(dir);
      break;
    } catch {
      missing = dir;
    }
  }
  return missing;
}

/** What restoring `change` needs, gathered before anything is written. */
async function prepare(root: string, change: FileChange): Promise<Written> {
  const full = join(root, change.path);
  const written: Written = { change, full };
  if (change.before !== null) written.mode = (await stat(full)).mode & 0o7777;
  else written.createdDir = await firstMissingDir(root, full);
  return written;
}

async function writeOne(written: Written): Promise<void> {
  const { change, full, mode } = written;
  if (change.after === null) {
    await unlink(full);
    return;
  }
  await atomicWrite(full, change.after);
  if (mode !== undefined) await chmod(full, mode);
}

async function restore(written: Written): Promise<void> {
  const { change, full, mode, createdDir } = written;
  if (change.before === null) {
    await rm(createdDir ?? full, { recursive: true, force: true });
    return;
  }
  await atomicWrite(full, change.before);
  if (mode !== undefined) await chmod(full, mode);
}

/** Write planned changes; on any failure restore what was already written and refuse. */
export async function writeChanges(root: string, changes: readonly FileChange[]): Promise<void> {
  const prepared: Written[] = [];
  for (const change of changes) prepared.push(await prepare(root, change));
  for (let index = 0; index < prepared.length; index++) {
    const written = prepared[index] as Written;
    try {
      await writeOne(written);
    } catch (error) {
      // The failing write may have half-happened (a created folder), so it is restored along with the others.
      for (const done of prepared.slice(0, index + 1).reverse()) await restore(done).catch(() => undefined);
      throw refuse(
        'write_failed',
        `could not write ${written.change.path} (${errorMessage(error)}); no file was changed.`,
        written.change.path,
      );
    }
  }
}

/** All-or-nothing: plan, check policy, then write every file (atomically per file; originals restored on error). */
export async function applyEdit(root: string, text: string, policy: EditPolicy): Promise<EditSummary> {
  const { format, changes } = await planEdit(root, text, policy);
  await writeChanges(root, changes);
  return {
    format,
    filesChanged: changes.map((change) => change.path),
    diff: canonicalDiff(changes),
    ...countChangedLines(changes),
  };
}
