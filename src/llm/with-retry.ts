// Retry a provider's retryable failures (429, 5xx, timeouts, lost connections) with backoff, honouring retry-after.
import { ResearchError } from '../domain/errors.js';
import type { GenerateOptions, GenerateRequest, GenerateResult, LlmProvider } from './llm-provider.js';

export interface RetryPolicy {
  /** Retries after the first try. */
  maxRetries: number;
  /** First backoff; doubles each retry, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** Resolves after `ms`, or rejects with `cancelled` as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): ResearchError => new ResearchError('cancelled', 'cancelled while waiting to retry');
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long to wait before retry number `retry` (0-based): the server's retry-after, else jittered backoff. */
export function retryDelayMs(error: ResearchError, retry: number, policy: RetryPolicy): number {
  const asked = error.details?.retryAfterMs;
  if (typeof asked === 'number' && asked >= 0) return asked;
  const base = policy.baseDelayMs ?? 500;
  const ceiling = Math.min(policy.maxDelayMs ?? 30_000, base * 2 ** retry);
  const random = policy.random ?? Math.random;
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

/** Runs `operation`, retrying while it throws a retryable `llm_api` error and retries remain. */
export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  const sleep = policy.sleep ?? abortableSleep;
  for (let retry = 0; ; retry++) {
    try {
      return await operation();
    } catch (error) {
      if (!ResearchError.is(error, 'llm_api') || !error.retryable || retry >= policy.maxRetries) throw error;
      if (signal?.aborted) throw new ResearchError('cancelled', 'cancelled', { cause: error });
      await sleep(retryDelayMs(error, retry, policy), signal);
    }
  }
}

/** `provider` with retries around each call. */
export function retrying(provider: LlmProvider, policy: RetryPolicy): LlmProvider {
  return {
    name: provider.name,
    ...(provider.model === undefined ? {} : { model: provider.model }),
    generate: (request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> =>
      withRetry(() => provider.generate(request, options), policy, options.signal),
  };
}
