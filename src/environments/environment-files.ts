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
    if (firstMatch(path, environment.manifest.editable) === undefined || isHeldOut(environment, path)) continue;
    files[path] = await readFile(join(environment.dir, path), 'utf8');
  }
  return files;
}

/** Globs an edit may never touch: the manifest's frozen list plus the harness folder. */
export function protectedGlobs(environment: Environment): string[] {
  const harness = environment.manifest.harness;
  return [...environment.manifest.frozen, ...(harness ? [`${harness}/**`] : [])];
}

/**
 * True for a held-out file (the manifest's `heldOut` globs): only the frozen evaluation reads it. It is sealed: listed
 * as existing, never served, never shown in a prompt, and an edit may not copy from it (implementer/contamination.ts).
 */
export function isHeldOut(environment: Environment, path: string): boolean {
  return firstMatch(path, environment.manifest.heldOut ?? []) !== undefined;
}

/** The held-out files of the environment folder, as relative paths. */
export async function heldOutFiles(environment: Environment): Promise<string[]> {
  return (await listFiles(environment.dir)).filter((path) => isHeldOut(environment, path));
}
