// Parse model text in any accepted format into file operations.
import { detectFormat } from './detect-format.js';
import { parseApplyPatch } from './parse-apply-patch.js';
import { parseSearchReplace } from './parse-search-replace.js';
import { parseUnifiedDiff } from './parse-unified-diff.js';
import { parseWholeFiles } from './parse-whole-file.js';
import { ACCEPTED_FORMATS, refuse } from './refuse.js';
import type { EditFormat, FileOperation, ParsedEdit } from './types.js';

const PARSERS: Record<EditFormat, (text: string) => FileOperation[]> = {
  'unified-diff': parseUnifiedDiff,
  'search-replace': parseSearchReplace,
  'apply-patch': parseApplyPatch,
  'whole-file': parseWholeFiles,
};

/** Parse any supported format (auto-detected; fenced or wrapped in prose is fine). Throws `edit_refused`. */
export function parseEdit(text: string): ParsedEdit {
  if (text.trim() === '') throw refuse('no_edit_found', `the edit is empty. ${ACCEPTED_FORMATS}`);
  const format = detectFormat(text);
  if (format === undefined) throw refuse('no_edit_found', `no edit found in the text. ${ACCEPTED_FORMATS}`);
  const operations = PARSERS[format](text);
  if (operations.length === 0) {
    throw refuse('no_op', `the ${format} edit names no file to change, so it changes nothing. ${ACCEPTED_FORMATS}`);
  }
  return { format, operations };
}
