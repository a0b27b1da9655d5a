// Parse unified diffs as models write them: counts and line numbers are hints, the hunk body is the truth.
import { fenceBody, fenceLabel, findFences } from './fences.js';
import { refuse } from './refuse.js';
import { splitLines } from './text-lines.js';
import type { FileOperation, Hunk } from './types.js';

export const UNIFIED_DIFF_MARKER = /^(@@|diff --git |--- .*\n\+\+\+ )/m;
const STRICT_HEADER = /^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@+/;
/** Ends a hunk that runs into the end of a fence, so hunks never join across fences. */
const SEPARATOR = '\u0000';

interface Section {
  gitOld?: string;
  gitNew?: string;
  oldPath?: string;
  newPath?: string;
  create: boolean;
  remove: boolean;
  rename: boolean;
  binary: boolean;
  hunks: Hunk[];
}

/**
 * Only the fenced blocks that hold a diff, when there are any; otherwise the whole text. A fenced diff with
 * hunks but no file headers takes its path from the fence's label ("train.py" above it).
 */
function diffRegion(text: string): string[] {
  const lines = splitLines(text);
  const region: string[] = [];
  let floor = -1;
  for (const fence of findFences(lines)) {
    const body = fenceBody(lines, fence);
    const label = fenceLabel(lines, fence, floor);
    floor = fence.close;
    if (!body.some((line) => line.startsWith('@@') || line.startsWith('diff --git '))) continue;
    const first = body.find(
      (line) => line.startsWith('@@') || line.startsWith('diff --git ') || line.startsWith('--- '),
    );
    if (first?.startsWith('@@') && label !== undefined) region.push(`--- a/${label}`, `+++ b/${label}`);
    region.push(...body, SEPARATOR);
  }
  return region.length > 0 ? region : lines;
}

function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"') || path.length < 2) return path;
  return path
    .slice(1, -1)
    .replace(/\\(["\\])/g, '$1')
    .replace(/\\t/g, '\t')
    .replace(/\\n/g, '\n');
}

/** The path on a ---/+++ line, without timestamps or "(original)" notes. */
function headerPath(raw: string): string {
  let path = raw.split('\t')[0]?.trim() ?? '';
  path = path.replace(/\s+\((?:original|modified|new|old|before|after|updated)\)$/i, '');
  path = path.replace(/\s+\d{4}-\d{2}-\d{2}[ T][\d:.]+(?:\s*[+-]\d{4})?$/, '');
  return unquote(path);
}

function endsHunk(line: string, next: string | undefined): boolean {
  return (
    line === SEPARATOR ||
    line.startsWith('@@') ||
    line.startsWith('diff --git ') ||
    /^(`{3,}|~{3,})/.test(line) ||
    (line.startsWith('--- ') && next !== undefined && next.startsWith('+++ '))
  );
}

/** Read the hunk whose header is at `start`; returns it and the index of the first line after it. */
function readHunk(lines: readonly string[], start: number, number: number): { hunk: Hunk; next: number } {
  const header = lines[start] as string;
  const hunk: Hunk = { label: `hunk #${number} (${header.trim()})`, oldLines: [], newLines: [] };
  const kinds: string[] = [];
  let index = start + 1;
  for (; index < lines.length; index++) {
    const line = lines[index] as string;
    if (endsHunk(line, lines[index + 1])) break;
    const marker = line[0];
    if (marker === '-') hunk.oldLines.push(line.slice(1));
    else if (marker === '+') hunk.newLines.push(line.slice(1));
    else if (marker === ' ' || marker === '\t' || line === '') {
      // A blank line is blank context whose leading space was lost; a tab-led line lost its space too.
      const context = marker === ' ' ? line.slice(1) : line;
      hunk.oldLines.push(context);
      hunk.newLines.push(context);
    } else if (marker === '\\') {
      const last = kinds[kinds.length - 1];
      if (last === '-' || last === ' ') hunk.oldEndsWithoutNewline = true;
      if (last === '+' || last === ' ') hunk.newEndsWithoutNewline = true;
      continue;
    } else break;
    kinds.push(line === '' ? '' : marker === '\t' ? ' ' : (marker as string));
  }
  // Blank lines after the last real line separate the diff from what follows; they are not context.
  while (kinds[kinds.length - 1] === '') {
    kinds.pop();
    hunk.oldLines.pop();
    hunk.newLines.pop();
  }
  const strict = STRICT_HEADER.exec(header);
  if (strict) {
    const oldStart = Number(strict[1]);
    hunk.hint = hunk.oldLines.length === 0 ? oldStart : Math.max(0, oldStart - 1);
  } else {
    // A bare @@ (or "@@ def f():") has no numbers: the hunk is anchored on its context alone.
    const anchor = header
      .replace(/^@@+/, '')
      .replace(/@@+.*$/, '')
      .trim();
    if (anchor !== '') hunk.anchors = [anchor];
  }
  return { hunk, next: index };
}

function newSection(): Section {
  return { create: false, remove: false, rename: false, binary: false, hunks: [] };
}

function toOperation(section: Section): FileOperation | undefined {
  const stripA = (path: string | undefined): string | undefined =>
    path && path !== '/dev/null' ? path.replace(/^a\//, '') : path;
  const stripB = (path: string | undefined): string | undefined =>
    path && path !== '/dev/null' ? path.replace(/^b\//, '') : path;
  const prefixed =
    section.gitOld !== undefined ||
    ((section.oldPath === '/dev/null' || section.oldPath?.startsWith('a/')) &&
      (section.newPath === '/dev/null' || section.newPath?.startsWith('b/')));
  const oldPath = (prefixed ? stripA(section.oldPath) : section.oldPath) ?? section.gitOld;
  const newPath = (prefixed ? stripB(section.newPath) : section.newPath) ?? section.gitNew;
  const name = newPath !== '/dev/null' ? newPath : oldPath;
  if (section.binary) {
    throw refuse(
      'binary',
      `the diff changes a binary file${name ? ` (${name})` : ''}; only text files can be edited.`,
      name,
    );
  }
  if (name === undefined) return undefined;
  const { hunks } = section;
  if (section.create || oldPath === '/dev/null') return { kind: 'create', path: newPath ?? name, hunks };
  if (section.remove || newPath === '/dev/null') return { kind: 'delete', path: oldPath ?? name, hunks };
  if (section.rename && oldPath && newPath && oldPath !== newPath)
    return { kind: 'update', path: oldPath, hunks, moveTo: newPath };
  if (hunks.length === 0) {
    if (section.oldPath === undefined) return undefined; // a mode-only git header
    throw refuse('no_op', `the diff for ${name} has file headers but no @@ hunks, so it changes nothing.`, name);
  }
  return { kind: 'update', path: name, hunks };
}

export function parseUnifiedDiff(text: string): FileOperation[] {
  const lines = diffRegion(text);
  const sections: Section[] = [];
  let section: Section | undefined;
  for (let index = 0; index < lines.length;) {
    const line = lines[index] as string;
    const next = lines[index + 1];
    const git = /^diff --git "?a\/(.+?)"? "?b\/(.+?)"?$/.exec(line);
    if (line.startsWith('diff --git ')) {
      section = newSection();
      section.gitOld = git?.[1];
      section.gitNew = git?.[2];
      sections.push(section);
    } else if (line.startsWith('--- ') && next?.startsWith('+++ ')) {
      const reuse =
        section && section.gitOld !== undefined && section.oldPath === undefined && section.hunks.length === 0;
      if (!reuse || !section) {
        section = newSection();
        sections.push(section);
      }
      section.oldPath = headerPath(line.slice(4));
      section.newPath = headerPath(next.slice(4));
      index += 2;
      continue;
    } else if (line.startsWith('@@')) {
      if (!section) {
        throw refuse(
          'unparseable',
          `the hunk "${line.trim()}" has no file header before it; start each file with "--- a/path" and "+++ b/path" lines.`,
        );
      }
      const read = readHunk(lines, index, section.hunks.length + 1);
      section.hunks.push(read.hunk);
      index = read.next;
      continue;
    } else if (section && /^new file mode /.test(line)) section.create = true;
    else if (section && /^deleted file mode /.test(line)) section.remove = true;
    else if (section && /^rename (from|to) /.test(line)) section.rename = true;
    else if (/^Binary files .* differ\s*$/.test(line) || line.trim() === 'GIT binary patch') {
      if (!section) throw refuse('binary', 'the diff changes a binary file; only text files can be edited.');
      section.binary = true;
    }
    index++;
  }
  return sections.map(toOperation).filter((operation): operation is FileOperation => operation !== undefined);
}
