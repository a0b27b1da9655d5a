// Upgrades records written under an older store schema version, one version step at a time.
import { SCHEMA_VERSION } from '../domain/records.js';
import type { CollectionName } from './store.js';

type StoredRecord = { id: string } & Record<string, unknown>;

/** `MIGRATIONS[v]` turns a version-`v` record into a version-`v + 1` record. None exist yet. */
type Migration = (collection: CollectionName, record: StoredRecord) => StoredRecord;
const MIGRATIONS: Partial<Record<number, Migration>> = {};

/** Brings records written at `fromVersion` up to `SCHEMA_VERSION`; identity for current records. */
export function migrateRecords<T extends StoredRecord>(
  collection: CollectionName,
  records: T[],
  fromVersion: number,
): T[] {
  let current: StoredRecord[] = records;
  for (let version = fromVersion; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version];
    if (step) current = current.map((record) => step(collection, record));
  }
  return current as T[];
}
