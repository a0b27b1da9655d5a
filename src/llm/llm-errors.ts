// Turn a failed model request (HTTP status, timeout, lost connection, abort) into a ResearchError with retry semantics.
import { ResearchError } from '../domain/errors.js';

/** A failed request, as the adapters see it after unwrapping their SDK's error classes. */
export type RequestFailure =
  | { kind: 'http'; status: number; message: string; headers?: Headers | Record<string, string | undefined> }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'connection'; message: string }
  | { kind: 'aborted' };

/** Longest wait a `retry-after` header may ask for before we give up on that request instead. */
export const MAX_RETRY_AFTER_MS = 120_000;

function header(headers: RequestFailure & { kind: 'http' }, name: string): string | undefined {
  const source = headers.headers;
  if (!source) return undefined;
  if (source instanceof Headers) return source.get(name) ?? undefined;
  const key = Object.keys(source).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : source[key];
}

/** Milliseconds the server asked us to wait (`retry-after-ms`, or `retry-after` in seconds or as a date). */
export function retryAfterMs(failure: RequestFailure & { kind: 'http' }, now = Date.now()): number | undefined {
  const ms = Number(header(failure, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(failure, 'retry-after');
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function hint(status: number, provider: string): string {
  if (status === 401 || status === 403)
    return ` Check the API key (${provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY'}) and its permissions.`;
  if (status === 404) return ' Check the model name and the base URL.';
  if (status === 429) return ' Rate limited: lower llm.maxConcurrentCalls or llm.implementer.samples, or wait.';
  return '';
}

/** Replace each secret in `text` (an API key echoed by a server, say) with a marker. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out;
}

/** The ResearchError for a failed request to `provider`: `cancelled` for our own abort, else `llm_api`. */
export function requestError(
  provider: string,
  failure: RequestFailure,
  options: { secrets?: readonly string[]; cause?: unknown } = {},
): ResearchError {
  const secrets = options.secrets ?? [];
  switch (failure.kind) {
    case 'aborted':
      return new ResearchError('cancelled', `the ${provider} request was cancelled`, { cause: options.cause });
    case 'timeout':
      return new ResearchError(
        'llm_api',
        `the ${provider} request timed out after ${failure.timeoutMs} ms (llm.timeoutMs)`,
        { retryable: true, details: { reason: 'timeout' } },
      );
    case 'connection':
      return new ResearchError(
        'llm_api',
        `cannot reach the ${provider} API: ${scrub(failure.message, secrets)}. Check the base URL and the network.`,
        { retryable: true, details: { reason: 'connection' } },
      );
    case 'http': {
      const wait = retryAfterMs(failure);
      const message = scrub(failure.message, secrets).slice(0, 1000);
      return new ResearchError(
        'llm_api',
        `the ${provider} API answered ${failure.status}: ${message}.${hint(failure.status, provider)}`,
        {
          retryable: isRetryableStatus(failure.status) && (wait === undefined || wait <= MAX_RETRY_AFTER_MS),
          details: { reason: 'http', status: failure.status, ...(wait === undefined ? {} : { retryAfterMs: wait }) },
        },
      );
    }
  }
}
