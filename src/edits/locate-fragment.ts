// A SEARCH text that is part of a line (or spans parts of lines): found exactly once, at word boundaries, it becomes
// an ordinary whole-line hunk. Absent or repeated fragments stay refused by the caller.
import { refuse } from './refuse.js';
import type { Hunk } from './types.js';

const WORD = /[A-Za-z0-9_]/;

/** True when `text[at..at+length)` does not cut a word (identifier or number) at either end. */
function atBoundaries(text: string, at: number, length: number): boolean {
  const first = text[at] ?? '';
  const last = text[at + length - 1] ?? '';
  const before = text[at - 1] ?? '';
  const after = text[at + length] ?? '';
  return !(WORD.test(first) && WORD.test(before)) && !(WORD.test(last) && WORD.test(after));
}

/**
 * The whole-line hunk (start line, old lines, new lines) for a fragment found exactly once in `texts`; undefined when
 * it is absent; refuses it as ambiguous when it occurs more than once.
 */
export function fragmentHunk(
  path: string,
  texts: readonly string[],
  hunk: Hunk,
): { index: number; hunk: Hunk } | undefined {
  const fragment = hunk.oldLines.join('\n');
  if (fragment.trim() === '') return undefined;
  const whole = texts.join('\n');
  const starts: number[] = [];
  for (let at = whole.indexOf(fragment); at !== -1; at = whole.indexOf(fragment, at + 1)) {
    if (atBoundaries(whole, at, fragment.length)) starts.push(at);
  }
  const at = starts[0];
  if (at === undefined) return undefined;
  const lineOf = (offset: number): number => whole.slice(0, offset).split('\n').length - 1;
  if (starts.length > 1) {
    throw refuse(
      'ambiguous',
      `${hunk.label} for ${path}: its SEARCH text is part of a line and occurs ${starts.length} times (lines ${starts
        .map((start) => lineOf(start) + 1)
        .join(', ')}). Include more of the surrounding text so it matches once.`,
      path,
    );
  }
  const first = lineOf(at);
  const last = lineOf(at + fragment.length);
  const lineStart = whole.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = whole.indexOf('\n', at + fragment.length);
  const before = whole.slice(lineStart, at);
  const after = whole.slice(at + fragment.length, lineEnd === -1 ? whole.length : lineEnd);
  const newText = `${before}${hunk.newLines.join('\n')}${after}`;
  return {
    index: first,
    hunk: { ...hunk, oldLines: texts.slice(first, last + 1), newLines: newText === '' ? [] : newText.split('\n') },
  };
}
