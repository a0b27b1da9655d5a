// Node file-system errors as the store's ResearchErrors: which codes mean "cannot write here".
import { ResearchError } from '../domain/errors.js';

const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/** The `code` of a Node system error (`ENOENT`, `EACCES`, …), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function isUnwritable(error: unknown): boolean {
  const code = errnoCode(error);
  return code !== undefined && UNWRITABLE.has(code);
}

/** `store_unwritable` for `path`, saying what to do. */
export function unwritableError(path: string, error: unknown): ResearchError {
  const code = errnoCode(error) ?? 'error';
  return new ResearchError(
    'store_unwritable',
    `cannot write to ${path} (${code}): groundwork keeps its store, lock and artifacts there. ` +
      'Make it writable or set GROUNDWORK_HOME to a writable directory.',
    { cause: error, details: { path, errno: code } },
  );
}

/** `error` as `store_unwritable` when it is a permission or read-only error; otherwise as is. */
export function toWriteError(path: string, error: unknown): unknown {
  return isUnwritable(error) ? unwritableError(path, error) : error;
}

/** For `.catch`: throws `store_unwritable` for permission errors, else `error` unchanged. */
export function rethrowIfUnwritable(path: string, error: unknown): never {
  throw toWriteError(path, error);
}
