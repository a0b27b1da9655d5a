// Check an edited path against the environment's frozen and editable globs.
import { firstMatch } from '../util/glob.js';
import { refuse } from './refuse.js';
import type { EditPolicy } from './types.js';

function editableHint(policy: EditPolicy): string {
  if (policy.editable && policy.editable.length > 0) return `Files you may edit: ${policy.editable.join(', ')}.`;
  return `Every file not matching ${policy.frozen.map((glob) => `"${glob}"`).join(', ')} may be edited.`;
}

/** Refuse an edit to `path` (normalized, relative) that the policy forbids. */
export function checkPolicy(path: string, policy: EditPolicy): void {
  const frozen = firstMatch(path, policy.frozen);
  if (frozen !== undefined) {
    throw refuse(
      'frozen',
      `${path} is frozen (it matches "${frozen}") and must not be changed. ${editableHint(policy)}`,
      path,
    );
  }
  if (policy.editable && firstMatch(path, policy.editable) === undefined) {
    throw refuse('not_editable', `${path} is not editable here. ${editableHint(policy)}`, path);
  }
}
