// Read the files of an environment a model may see and edit.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Environment } from '../environments/registry.js';
import { listFiles } from '../environments/workspace.js';
import { firstMatch } from '../util/glob.js';

/** Editable files of the environment, by relative path. */
export async function readEditableFiles(environment: Environment): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const path of await listFiles(environment.dir)) {
    if (firstMatch(path, environment.manifest.editable) === undefined) continue;
    files[path] = await readFile(join(environment.dir, path), 'utf8');
  }
  return files;
}

/** Globs an edit may never touch: the manifest's frozen list plus the harness folder. */
export function protectedGlobs(environment: Environment): string[] {
  const harness = environment.manifest.harness;
  return [...environment.manifest.frozen, ...(harness ? [`${harness}/**`] : [])];
}
