// Bulky files (diffs, logs, raw LLM output) under `<dataDir>/artifacts/<id>/<name>`, referenced by path.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { Implementation } from '../domain/records.js';
import { atomicWrite } from '../util/atomic-write.js';
import { rethrowIfUnwritable } from './fs-errors.js';

const ARTIFACTS = 'artifacts';

/** Absolute path of artifact `name` (may contain `/`) of record `id`. Refuses names that escape. */
export function artifactPath(dataDir: string, id: string, name: string): string {
  return join(resolve(dataDir), relativeArtifactPath(id, name));
}

/** Writes an artifact atomically; returns its path relative to the data directory (always with `/`). */
export async function writeArtifact(
  dataDir: string,
  id: string,
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  const relativePath = relativeArtifactPath(id, name);
  const file = join(resolve(dataDir), relativePath);
  await atomicWrite(file, content).catch((error: unknown) => rethrowIfUnwritable(file, error));
  return relativePath;
}

/** Reads an artifact by the relative path `writeArtifact` returned. */
export async function readArtifact(dataDir: string, relativePath: string): Promise<string> {
  const root = resolve(dataDir, ARTIFACTS);
  const file = resolve(dataDir, relativePath);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new ResearchError('bad_input', `${relativePath} is not an artifact path (artifacts/<id>/<name>)`);
  }
  return readFile(file, 'utf8');
}

/** An implementation's changed files with their new content, read back from its artifacts (null: deleted). */
export async function readChangedFiles(
  dataDir: string,
  implementation: Pick<Implementation, 'changes'>,
): Promise<{ path: string; content: string | null }[]> {
  return Promise.all(
    implementation.changes.map(async (change) => ({
      path: change.path,
      content: change.artifact === null ? null : await readFile(join(dataDir, change.artifact), 'utf8'),
    })),
  );
}

function relativeArtifactPath(id: string, name: string): string {
  checkPart('artifact id', id, false);
  checkPart('artifact name', name, true);
  return posix.join(ARTIFACTS, id, name);
}

function checkPart(what: string, value: string, nested: boolean): void {
  const parts = value.split(/[\\/]/);
  const bad =
    value === '' ||
    isAbsolute(value) ||
    (!nested && parts.length > 1) ||
    parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\0'));
  if (bad || (sep === '\\' && value.includes(':'))) {
    throw new ResearchError('bad_input', `invalid ${what} "${value}": use plain names, no "..", no absolute paths`);
  }
}
