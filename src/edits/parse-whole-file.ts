// Parse whole-file edits: a path line (or a path in the fence's info string) followed by a fenced block.
import { fenceBody, fenceLabel, findFences } from './fences.js';
import { splitLines } from './text-lines.js';
import type { FileOperation } from './types.js';

export function parseWholeFiles(text: string): FileOperation[] {
  const lines = splitLines(text);
  const operations: FileOperation[] = [];
  let floor = -1;
  for (const fence of findFences(lines)) {
    const path = fenceLabel(lines, fence, floor);
    floor = fence.close;
    if (!path) continue;
    const body = fenceBody(lines, fence);
    operations.push({ kind: 'write', path, content: body.length === 0 ? '' : `${body.join('\n')}\n` });
  }
  return operations;
}

/** True when some fence in `text` is labelled with a file path. */
export function hasWholeFile(text: string): boolean {
  return parseWholeFiles(text).length > 0;
}
