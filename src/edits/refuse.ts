// Build the `edit_refused` errors this module throws, with a machine-readable reason.
import { ResearchError } from '../domain/errors.js';

/** Why an edit was refused; stable, for callers and tests (the message is for the model). */
export type RefusalReason =
  | 'no_edit_found'
  | 'unparseable'
  | 'frozen'
  | 'not_editable'
  | 'outside_tree'
  | 'not_found'
  | 'ambiguous'
  | 'no_op'
  | 'binary'
  | 'file_missing'
  | 'file_exists'
  | 'not_a_file'
  | 'too_large'
  | 'truncated'
  | 'write_failed';

export function refuse(reason: RefusalReason, message: string, path?: string): ResearchError {
  return new ResearchError('edit_refused', message, { details: path === undefined ? { reason } : { reason, path } });
}

export const ACCEPTED_FORMATS =
  'Accepted formats: a unified diff (--- a/path, +++ b/path, @@ hunks), SEARCH/REPLACE blocks ' +
  '(the file path on its own line, then <<<<<<< SEARCH, =======, >>>>>>> REPLACE), an apply_patch envelope ' +
  '(*** Begin Patch … *** End Patch), or for small files the path on its own line followed by a fenced block ' +
  'with the complete new file.';
