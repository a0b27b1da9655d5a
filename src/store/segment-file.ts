// The on-disk shape of one segment file (`000042.json`), its name, and its validation.
import { z } from 'zod';

import type { CollectionName } from './store.js';
import { assertKnownVersion, corruptError } from './store-errors.js';

export interface SegmentData<T> {
  schemaVersion: number;
  collection: CollectionName;
  /** In insertion order (an array, not an object: objects reorder integer-like keys). */
  records: T[];
}

const segmentSchema = z.object({
  schemaVersion: z.number().int().positive(),
  collection: z.string(),
  records: z.array(z.looseObject({ id: z.string().min(1) })),
});

const NAME = /^(\d{6,})\.json$/;

export function segmentFileName(index: number): string {
  return `${String(index).padStart(6, '0')}.json`;
}

/** The segment number of a file name, or undefined for anything else (e.g. lowdb's `.x.json.tmp`). */
export function segmentIndex(fileName: string): number | undefined {
  const match = NAME.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/** Checks what `JSON.parse` made of `file`; throws `store_corrupt` (or a newer-version error). */
export function validateSegment<T extends { id: string }>(
  file: string,
  collection: CollectionName,
  raw: unknown,
): SegmentData<T> {
  const result = segmentSchema.safeParse(raw);
  if (!result.success) {
    throw corruptError(file, `unexpected shape: ${z.prettifyError(result.error).replace(/\n/g, ' ')}`);
  }
  assertKnownVersion(file, result.data.schemaVersion);
  if (result.data.collection !== collection) {
    throw corruptError(file, `it holds "${result.data.collection}" records, not "${collection}"`);
  }
  // `raw` passed the schema; use it as is rather than zod's copy of every record.
  return raw as SegmentData<T>;
}
