// Bulky files (diffs, logs, raw LLM output) under `<dataDir>/artifacts/<id>/<name>`, referenced by path.
import { createHash } from 'node:crypto';
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

/** sha256 (hex) of a text as stored. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What an implementation records to prove its artifacts unchanged: hashes of its diff and of each changed file. */
export function implementationIntegrity(
  diff: string,
  files: readonly { path: string; content: string | null }[],
): NonNullable<Implementation['integrity']> {
  return {
    diff: sha256(diff),
    files: Object.fromEntries(files.map((file) => [file.path, file.content === null ? null : sha256(file.content)])),
  };
}

/**
 * An implementation's changed files with their new content, read back from its artifacts (null: deleted). When the
 * record carries `integrity`, the files (and the diff, given `diffPath`) must still hash to it: otherwise something
 * rewrote the stored code after it was checked, and nothing runs it (`store_corrupt`, details.category `suspicious`).
 */
export async function readChangedFiles(
  dataDir: string,
  implementation: Pick<Implementation, 'changes'> & Partial<Pick<Implementation, 'id' | 'integrity' | 'diffPath'>>,
): Promise<{ path: string; content: string | null }[]> {
  const files = await Promise.all(
    implementation.changes.map(async (change) => ({
      path: change.path,
      content: change.artifact === null ? null : await readFile(join(dataDir, change.artifact), 'utf8'),
    })),
  );
  const integrity = implementation.integrity;
  if (!integrity) return files;
  const changed = files
    .filter((file) => (file.content === null ? null : sha256(file.content)) !== integrity.files[file.path])
    .map((file) => file.path);
  if (Object.keys(integrity.files).length !== files.length) changed.push('(the list of changed files)');
  if (implementation.diffPath) {
    const diff = await readArtifact(dataDir, implementation.diffPath).catch(() => undefined);
    if (diff === undefined || sha256(diff) !== integrity.diff) changed.push(implementation.diffPath);
  }
  if (changed.length > 0) {
    const id = implementation.id ?? 'the implementation';
    throw new ResearchError(
      'store_corrupt',
      `${id}'s stored code was modified after it was checked (${changed.join(', ')} no longer match the hashes ` +
        'recorded when it was stored), so it is not run: a job may have written into the data directory. Call ' +
        'implement_idea again for a fresh copy, and run jobs in a sandbox that hides the data directory',
      { details: { category: 'suspicious', changed } },
    );
  }
  return files;
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
