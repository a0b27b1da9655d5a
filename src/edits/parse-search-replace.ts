// Parse aider-style SEARCH/REPLACE blocks: a path line, an optional fence, then SEARCH / ======= / REPLACE.
import { isFenceLine } from './fences.js';
import { pathFromLine, pathFromToken } from './path-line.js';
import { refuse } from './refuse.js';
import { splitLines } from './text-lines.js';
import type { FileOperation, Hunk } from './types.js';

export const SEARCH_MARKER = /^ {0,3}<{5,9} ?SEARCH>?\s*$/;
const DIVIDER = /^ {0,3}={5,9}\s*$/;
const REPLACE_MARKER = /^ {0,3}>{5,9} ?REPLACE\s*$/;

/** The path written before the block at `index`: the nearest non-blank line above it, or the fence's info string. */
function pathBefore(lines: readonly string[], index: number, stop: number): string | undefined {
  for (let above = index - 1; above > stop && above >= index - 4; above--) {
    const line = (lines[above] as string).trim();
    if (line === '') continue;
    if (isFenceLine(line)) {
      const info = line.replace(/^(`{3,}|~{3,})/, '').trim();
      const named = info
        .split(/[\s:]+/)
        .map(pathFromToken)
        .find((path) => path !== undefined);
      if (named) return named;
      continue;
    }
    return pathFromLine(line);
  }
  return undefined;
}

/** Read lines from `start` until one matching `end`; returns the lines and the index of the end line. */
function readUntil(lines: readonly string[], start: number, end: RegExp): { body: string[]; at: number } {
  let at = start;
  while (at < lines.length && !end.test(lines[at] as string)) at++;
  return { body: lines.slice(start, at), at };
}

export function parseSearchReplace(text: string): FileOperation[] {
  const lines = splitLines(text);
  const byPath = new Map<string, Hunk[]>();
  let currentPath: string | undefined;
  let previousEnd = -1;
  let count = 0;
  for (let index = 0; index < lines.length; index++) {
    if (!SEARCH_MARKER.test(lines[index] as string)) continue;
    count++;
    const label = `SEARCH block #${count}`;
    currentPath = pathBefore(lines, index, previousEnd) ?? currentPath;
    if (currentPath === undefined) {
      throw refuse(
        'unparseable',
        `${label} has no file path. Put the file path (e.g. train.py) alone on the line before the block.`,
      );
    }
    const search = readUntil(lines, index + 1, DIVIDER);
    if (search.at >= lines.length) {
      throw refuse(
        'unparseable',
        `${label} (for ${currentPath}) has no ======= line after its SEARCH lines.`,
        currentPath,
      );
    }
    const replace = readUntil(lines, search.at + 1, REPLACE_MARKER);
    if (replace.at >= lines.length) {
      throw refuse(
        'unparseable',
        `${label} (for ${currentPath}) has no >>>>>>> REPLACE line to close it.`,
        currentPath,
      );
    }
    const hunks = byPath.get(currentPath) ?? [];
    // A SEARCH of only blank lines is an empty SEARCH (create a file), as aider treats it.
    const oldLines = search.body.every((line) => line.trim() === '') ? [] : search.body;
    hunks.push({ label, oldLines, newLines: replace.body, fragment: true });
    byPath.set(currentPath, hunks);
    index = replace.at;
    previousEnd = replace.at;
  }
  return [...byPath].map(([path, hunks]): FileOperation => ({ kind: 'update', path, hunks }));
}
