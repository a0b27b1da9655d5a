// The edits module: turn model-written edits (diffs, SEARCH/REPLACE, apply_patch, whole files) into checked file changes.
export { applyEdit, writeChanges } from './apply-edit.js';
export { canonicalDiff, countChangedLines } from './canonical-diff.js';
export { detectFormat } from './detect-format.js';
export { parseEdit } from './parse-edit.js';
export { planEdit } from './plan-edit.js';
export { checkPythonSyntax } from './python-syntax.js';
export type { PythonSyntaxError } from './python-syntax.js';
export type { RefusalReason } from './refuse.js';
export type { EditFormat, EditPolicy, EditSummary, FileChange, FileOperation, Hunk, ParsedEdit } from './types.js';
export { WHOLE_FILE_MAX_LINES } from './whole-file-guard.js';
