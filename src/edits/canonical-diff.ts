// The canonical unified diff of real before/after contents; the only file that imports jsdiff.
import { formatPatch, structuredPatch, type StructuredPatch } from 'diff';

import type { FileChange } from './types.js';

function toPatch(change: FileChange): StructuredPatch {
  const patch = structuredPatch(
    change.before === null ? '/dev/null' : `a/${change.path}`,
    change.after === null ? '/dev/null' : `b/${change.path}`,
    change.before ?? '',
    change.after ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  return { ...patch, isGit: true, isCreate: change.before === null, isDelete: change.after === null };
}

/** Canonical git-style unified diff (a/ b/ headers, /dev/null for creations and deletions) of the changed files. */
export function canonicalDiff(changes: readonly FileChange[]): string {
  return changes
    .filter((change) => change.before !== change.after)
    .map((change) => formatPatch(toPatch(change)))
    .join('');
}

/** Lines added and removed across the changes, as the canonical diff counts them. */
export function countChangedLines(changes: readonly FileChange[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const change of changes) {
    if (change.before === change.after) continue;
    for (const hunk of toPatch(change).hunks) {
      for (const line of hunk.lines) {
        if (line.startsWith('+')) added++;
        else if (line.startsWith('-')) removed++;
      }
    }
  }
  return { added, removed };
}
