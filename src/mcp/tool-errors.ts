// Every failure of a tool call becomes a result the model can act on, never a protocol error.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { errorMessage, ResearchError } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';

/** Where an error result carries its machine-readable code (structuredContent must match the output schema). */
export const ERROR_META_KEY = 'groundwork/error';

export function errorResult(error: unknown, signal: AbortSignal, log: Logger): CallToolResult {
  let code: string;
  let message: string;
  let retryable = false;
  if (ResearchError.is(error)) {
    code = error.code;
    message = error.message;
    retryable = error.retryable;
  } else if (signal.aborted) {
    code = 'cancelled';
    message = 'the call was cancelled by the client';
  } else {
    code = 'internal';
    message = `unexpected error: ${errorMessage(error)}. The server is still running; the stack trace is in its log (stderr). Retry, or report it if it persists`;
    log.error('tool failed unexpectedly', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}${retryable ? ' (retrying may help)' : ''}` }],
    _meta: { [ERROR_META_KEY]: { code, message, retryable } },
  };
}
