// One error type for the whole project: a stable code, whether a retry can help, and what to do.

export type ErrorCode =
  | 'bad_input'
  | 'config_invalid'
  | 'not_found'
  | 'manifest_invalid'
  | 'environment_unknown'
  | 'python_missing'
  | 'store_locked'
  | 'store_corrupt'
  | 'store_unwritable'
  | 'edit_refused'
  | 'preflight_failed'
  | 'executor'
  | 'sandbox_unavailable'
  | 'cancelled'
  | 'budget_exhausted'
  | 'llm_api'
  | 'internal';

/** An expected failure: `message` says what happened and what the caller can do about it. */
export class ResearchError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ResearchError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  static is(error: unknown, code?: ErrorCode): error is ResearchError {
    return error instanceof ResearchError && (code === undefined || error.code === code);
  }
}

/** The message of anything thrown, for logs and failure records. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
