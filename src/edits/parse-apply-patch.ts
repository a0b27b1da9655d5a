// Parse OpenAI's apply_patch envelope: *** Begin Patch, Update/Add/Delete File sections, @@ anchors.
import { isFenceLine } from './fences.js';
import { refuse } from './refuse.js';
import { splitLines } from './text-lines.js';
import type { FileOperation, Hunk } from './types.js';

export const APPLY_PATCH_MARKER = /^\*\*\* (Begin Patch|Update File:|Add File:|Delete File:)/m;
const FILE_HEADER = /^\*\*\* (Update|Add|Delete) File:\s*(.+?)\s*$/;
const MOVE_TO = /^\*\*\* Move to:\s*(.+?)\s*$/;
const END_PATCH = /^\*\*\* End Patch\s*$/;
const END_OF_FILE = /^\*\*\* End of File\s*$/;

/** The lines of one file section: up to the next header, the end of the patch, or a closing fence. */
function sectionEnd(lines: readonly string[], start: number): number {
  let index = start;
  while (index < lines.length) {
    const line = lines[index] as string;
    if (FILE_HEADER.test(line) || END_PATCH.test(line) || isFenceLine(line)) break;
    index++;
  }
  return index;
}

function dropTrailingBlanks(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  return lines.slice(0, end);
}

/** Turn an Update File body into hunks: each `@@` line starts a new hunk anchored on its text. */
function parseUpdate(path: string, body: readonly string[]): Hunk[] {
  const hunks: Hunk[] = [];
  let anchors: string[] = [];
  let current: Hunk | undefined;
  const finish = (): void => {
    if (!current) return;
    let last = current.oldLines.length;
    // Blank lines at the very end are separators, not context.
    while (last > 0 && current.oldLines[last - 1] === '' && current.newLines[current.newLines.length - 1] === '') {
      current.oldLines.pop();
      current.newLines.pop();
      last--;
    }
    if (current.oldLines.length > 0 || current.newLines.length > 0) hunks.push(current);
    current = undefined;
  };
  for (const line of body) {
    if (line.startsWith('@@')) {
      if (current && (current.oldLines.length > 0 || current.newLines.length > 0)) {
        finish();
        anchors = [];
      }
      const anchor = line.slice(2).trim();
      if (anchor !== '') anchors.push(anchor);
      continue;
    }
    if (END_OF_FILE.test(line)) {
      if (current) current.atEnd = true;
      continue;
    }
    if (!current) {
      current = { label: `hunk #${hunks.length + 1}`, oldLines: [], newLines: [], anchors: [...anchors] };
      anchors = [];
    }
    const marker = line[0];
    const rest = line.slice(1);
    if (marker === '-') current.oldLines.push(rest);
    else if (marker === '+') current.newLines.push(rest);
    else {
      // A context line; models often drop the leading space on blank and unchanged lines.
      const context = marker === ' ' ? rest : line;
      current.oldLines.push(context);
      current.newLines.push(context);
    }
  }
  finish();
  if (hunks.length === 0) {
    throw refuse('no_op', `the *** Update File: ${path} section has no changed lines (- or +).`, path);
  }
  return hunks.map((hunk, index) => ({ ...hunk, label: `apply_patch hunk #${index + 1}` }));
}

export function parseApplyPatch(text: string): FileOperation[] {
  const lines = splitLines(text);
  const operations: FileOperation[] = [];
  let index = lines.findIndex((line) => FILE_HEADER.test(line));
  while (index >= 0 && index < lines.length) {
    const header = FILE_HEADER.exec(lines[index] as string);
    if (!header) break;
    const kind = header[1] as 'Update' | 'Add' | 'Delete';
    const path = header[2] as string;
    let start = index + 1;
    const move = MOVE_TO.exec(lines[start] ?? '');
    if (move) start++;
    const end = sectionEnd(lines, start);
    const body = dropTrailingBlanks(lines.slice(start, end));
    if (kind === 'Add') {
      const content = body.map((line) => (line.startsWith('+') ? line.slice(1) : line));
      operations.push({
        kind: 'create',
        path,
        hunks: [{ label: `*** Add File: ${path}`, oldLines: [], newLines: content }],
      });
    } else if (kind === 'Delete') {
      operations.push({ kind: 'delete', path, hunks: [] });
    } else if (move && body.length === 0) {
      operations.push({ kind: 'update', path, hunks: [], moveTo: move[1] as string });
    } else {
      const hunks = parseUpdate(path, body);
      operations.push(
        move ? { kind: 'update', path, hunks, moveTo: move[1] as string } : { kind: 'update', path, hunks },
      );
    }
    index = end;
    if (index < lines.length && !FILE_HEADER.test(lines[index] as string)) break;
  }
  return operations;
}
