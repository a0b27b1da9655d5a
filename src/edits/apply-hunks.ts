// Apply a file's hunks in order to its lines, refusing any hunk whose old lines are not found exactly once.
import { alignLines } from './align-lines.js';
import { describeAmbiguous, describeNotFound } from './closest-text.js';
import { findAnchor, type Indent, locateBlock, reindent } from './locate-block.js';
import { fragmentHunk } from './locate-fragment.js';
import { refuse } from './refuse.js';
import type { Document, Line } from './text-lines.js';
import type { Hunk } from './types.js';

function startAfterAnchors(
  texts: readonly string[],
  anchors: readonly string[] | undefined,
  cursor: number,
): number | undefined {
  if (!anchors || anchors.length === 0) return undefined;
  let from = cursor;
  for (const anchor of anchors) {
    let index = findAnchor(texts, anchor, from);
    if (index === -1) index = findAnchor(texts, anchor, 0);
    // Anchors only narrow the search; a stale one is ignored rather than trusted.
    if (index === -1) return undefined;
    from = index + 1;
  }
  return from;
}

/** Where a hunk with no old lines (a pure insertion) goes, or a refusal when nothing says where. */
function insertionPoint(
  path: string,
  hunk: Hunk,
  lines: readonly Line[],
  hint: number | undefined,
  anchored: number | undefined,
): number {
  if (anchored !== undefined) return anchored;
  if (hint !== undefined) return Math.min(Math.max(hint, 0), lines.length);
  if (hunk.atEnd) return lines.length;
  if (lines.length === 0) return 0;
  throw refuse(
    'not_found',
    `${hunk.label} for ${path} only adds lines and has no unchanged lines around them, so there is no way to tell where they go. ` +
      'Include a few unchanged lines before and after the insertion.',
    path,
  );
}

/** Replacement lines: lines the hunk leaves unchanged keep the file's own text and endings. */
function replacement(hunk: Hunk, old: readonly Line[], indent: Indent): Line[] {
  const kept = alignLines(hunk.oldLines, hunk.newLines);
  return hunk.newLines.map((text, index): Line => {
    const from = kept[index] as number;
    return from >= 0 ? (old[from] as Line) : { text: reindent(text, indent), eol: '' };
  });
}

/** Apply `hunks` in order; each sees the result of the previous ones. Returns a new document. */
export function applyHunks(path: string, document: Document, hunks: readonly Hunk[]): Document {
  let lines = [...document.lines];
  let finalNewline = document.finalNewline;
  let delta = 0;
  let cursor = 0;
  for (let hunk of hunks) {
    const texts = lines.map((line) => line.text);
    const hint = hunk.hint === undefined ? undefined : hunk.hint + delta;
    const anchored = startAfterAnchors(texts, hunk.anchors, cursor);
    let index: number;
    let indent: Indent = { kind: 'add', prefix: '' };
    if (hunk.oldLines.length === 0) {
      index = insertionPoint(path, hunk, lines, hint, anchored);
    } else {
      const options = { hint: hint ?? anchored, atEnd: hunk.atEnd };
      let result = locateBlock(texts, hunk.oldLines, { ...options, from: anchored });
      if (result.kind === 'not_found' && anchored !== undefined) result = locateBlock(texts, hunk.oldLines, options);
      // A SEARCH/REPLACE text that is part of a line, found once, is a whole-line edit of the lines it spans.
      const fragment = result.kind === 'not_found' && hunk.fragment ? fragmentHunk(path, texts, hunk) : undefined;
      if (fragment) {
        hunk = fragment.hunk;
        result = { kind: 'found', match: { index: fragment.index, tier: 'exact', indent } };
      }
      if (result.kind === 'not_found')
        throw refuse('not_found', describeNotFound(texts, hunk.oldLines, path, hunk.label), path);
      if (result.kind === 'ambiguous') {
        throw refuse('ambiguous', describeAmbiguous(result.starts, hunk.oldLines.length, path, hunk.label), path);
      }
      index = result.match.index;
      indent = result.match.indent;
    }
    const old = lines.slice(index, index + hunk.oldLines.length);
    lines = [...lines.slice(0, index), ...replacement(hunk, old, indent), ...lines.slice(index + hunk.oldLines.length)];
    delta += hunk.newLines.length - hunk.oldLines.length;
    cursor = index + hunk.newLines.length;
    const touchesEnd = index + hunk.newLines.length >= lines.length;
    if (touchesEnd && hunk.newEndsWithoutNewline) finalNewline = false;
    else if (touchesEnd && hunk.oldEndsWithoutNewline) finalNewline = true;
  }
  return { lines, eol: document.eol, finalNewline };
}
