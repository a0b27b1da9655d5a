// `store/meta.json`: the store's schema version and creation time; refuses a store from a newer groundwork.
import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import { SCHEMA_VERSION } from '../domain/records.js';
import { atomicWrite } from '../util/atomic-write.js';
import { errnoCode, rethrowIfUnwritable } from './fs-errors.js';
import { assertKnownVersion, corruptError } from './store-errors.js';

export interface StoreMeta {
  schemaVersion: number;
  createdAt: string;
}

const metaSchema = z.object({ schemaVersion: z.number().int().positive(), createdAt: z.string() });

/** The meta file's content, or undefined when there is none yet. Throws on a bad or too-new file. */
export async function readMeta(file: string): Promise<StoreMeta | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw corruptError(file, `unreadable (${errnoCode(error) ?? String(error)})`, error);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corruptError(file, `not JSON: ${(error as Error).message}`, error);
  }
  const result = metaSchema.safeParse(raw);
  if (!result.success) throw corruptError(file, 'expected { schemaVersion, createdAt }');
  assertKnownVersion(file, result.data.schemaVersion);
  return result.data;
}

/** Writes meta at the current schema version, keeping the original creation time. */
export async function writeMeta(file: string, previous: StoreMeta | undefined): Promise<StoreMeta> {
  const meta: StoreMeta = {
    schemaVersion: SCHEMA_VERSION,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
  };
  await atomicWrite(file, JSON.stringify(meta, null, 2) + '\n').catch((error: unknown) =>
    rethrowIfUnwritable(file, error),
  );
  return meta;
}
