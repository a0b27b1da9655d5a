// Decide which edit format a model's text is in, checking the least ambiguous markers first.
import { APPLY_PATCH_MARKER } from './parse-apply-patch.js';
import { SEARCH_MARKER } from './parse-search-replace.js';
import { UNIFIED_DIFF_MARKER } from './parse-unified-diff.js';
import { hasWholeFile } from './parse-whole-file.js';
import { splitLines } from './text-lines.js';
import type { EditFormat } from './types.js';

/**
 * The format of `text`, or undefined when it holds no edit. apply_patch envelopes and SEARCH/REPLACE
 * markers cannot be mistaken for anything else, so they win even inside fences; whole files come last
 * because any labelled code block looks like one.
 */
export function detectFormat(text: string): EditFormat | undefined {
  const normalized = splitLines(text).join('\n');
  if (APPLY_PATCH_MARKER.test(normalized)) return 'apply-patch';
  if (splitLines(text).some((line) => SEARCH_MARKER.test(line))) return 'search-replace';
  if (UNIFIED_DIFF_MARKER.test(normalized)) return 'unified-diff';
  if (hasWholeFile(normalized)) return 'whole-file';
  return undefined;
}
