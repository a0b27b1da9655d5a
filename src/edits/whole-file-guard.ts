// Whole-file edits replace everything, so refuse them for big files and when the new text looks elided.
import { refuse } from './refuse.js';
import { countLines } from './text-lines.js';

/** Existing files longer than this must be edited with a diff or SEARCH/REPLACE blocks. */
export const WHOLE_FILE_MAX_LINES = 400;

const ELISION = [
  /^\s*(#|\/\/|\/\*|<!--)\s*\.\.\.|\.\.\.\s*(#|$)/,
  /\b(rest|remainder) of (the )?(code|file|function|class)\b/i,
  /\b(existing|unchanged|remaining|previous|same as before|other) (code|lines|functions|content)\b/i,
];

function looksElided(content: string): string | undefined {
  return content
    .split('\n')
    .find((line) => /^\s*(#|\/\/|\/\*|<!--|\.\.\.)/.test(line) && ELISION.some((pattern) => pattern.test(line)));
}

/** Refuse replacing `before` (the current text of `path`) with `after` when a whole file is not trustworthy. */
export function checkWholeFile(path: string, before: string, after: string): void {
  const beforeLines = countLines(before);
  const diffHint = 'Send a unified diff or SEARCH/REPLACE blocks for it instead.';
  if (beforeLines > WHOLE_FILE_MAX_LINES) {
    throw refuse(
      'too_large',
      `${path} has ${beforeLines} lines, too many to replace as a whole file (limit ${WHOLE_FILE_MAX_LINES}). ${diffHint}`,
      path,
    );
  }
  const elided = looksElided(after);
  if (elided !== undefined) {
    throw refuse(
      'truncated',
      `the new ${path} looks elided ("${elided.trim()}"); a whole-file edit must contain the complete file. ${diffHint}`,
      path,
    );
  }
  const afterLines = countLines(after);
  if (beforeLines >= 40 && afterLines * 2 < beforeLines) {
    throw refuse(
      'truncated',
      `the new ${path} has ${afterLines} line${afterLines === 1 ? '' : 's'} where the current one has ${beforeLines}; this looks like a fragment, not the whole file. ${diffHint}`,
      path,
    );
  }
}
