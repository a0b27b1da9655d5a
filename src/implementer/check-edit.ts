// Check an edit before it runs: plan it against the pristine environment, then syntax-check changed Python files.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import { canonicalDiff, checkPythonSyntax, planEdit } from '../edits/index.js';
import { protectedGlobs } from '../environments/environment-files.js';
import type { Environment } from '../environments/registry.js';
import { checkContamination } from './contamination.js';

export interface CheckedEdit {
  changes: { path: string; before: string | null; after: string | null }[];
  diff: string;
}

export interface CheckEditOptions {
  /** Folder for the scratch copy that the syntax check reads. */
  tmpDir: string;
  /** The interpreter for the syntax check, asked for only when a Python file changed. */
  python(): Promise<string>;
}

/**
 * Throws `edit_refused` when the edit does not apply or copies held-out data (reason `contaminated`),
 * `preflight_failed` when the edited code does not compile.
 */
export async function checkEdit(
  environment: Environment,
  text: string,
  options: CheckEditOptions,
): Promise<CheckedEdit> {
  const plan = await planEdit(environment.dir, text, {
    frozen: protectedGlobs(environment),
    editable: environment.manifest.editable,
  });
  await checkContamination(environment, plan.changes);
  const python = plan.changes.filter((change) => change.path.endsWith('.py') && change.after !== null);
  if (python.length > 0) {
    const scratch = await mkdtemp(join(options.tmpDir, 'syntax-'));
    try {
      for (const change of python) {
        await mkdir(dirname(join(scratch, change.path)), { recursive: true });
        await writeFile(join(scratch, change.path), change.after as string);
      }
      const errors = await checkPythonSyntax(
        scratch,
        python.map((change) => change.path),
        await options.python(),
      );
      if (errors.length > 0) {
        throw new ResearchError(
          'preflight_failed',
          `the edited code does not compile:\n${errors.map((e) => `${e.file}: ${e.error}`).join('\n')}`,
        );
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return { changes: plan.changes, diff: canonicalDiff(plan.changes) };
}
