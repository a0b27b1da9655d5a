// The messages a damaged or too-new store stops start-up with; each names the file and the way out.
import { ResearchError } from '../domain/errors.js';
import { SCHEMA_VERSION } from '../domain/records.js';

/** `store_corrupt`: `file` could not be read or is not what groundwork wrote. Nothing is written. */
export function corruptError(file: string, problem: string, cause?: unknown): ResearchError {
  return new ResearchError(
    'store_corrupt',
    `store file ${file} is not valid (${problem}). Move it aside or restore it from a backup; ` +
      'groundwork never overwrites it.',
    { cause, details: { file } },
  );
}

/** `store_corrupt`: `file` comes from a newer groundwork than this one. */
export function newerSchemaError(file: string, version: number): ResearchError {
  return new ResearchError(
    'store_corrupt',
    `store file ${file} has schema version ${version}, but this groundwork reads up to version ` +
      `${SCHEMA_VERSION}: it was written by a newer groundwork. Upgrade groundwork to open this data ` +
      'directory, or set GROUNDWORK_HOME to another one.',
    { details: { file, schemaVersion: version, supported: SCHEMA_VERSION } },
  );
}

/** Throws `newerSchemaError` when `version` is beyond what this code knows. */
export function assertKnownVersion(file: string, version: number): void {
  if (version > SCHEMA_VERSION) throw newerSchemaError(file, version);
}
