// Retries: only retryable llm_api errors, with the server's delay or jittered backoff, bounded, abortable.
import { describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { MAX_RETRY_AFTER_MS, requestError, retryAfterMs } from '../../../src/llm/llm-errors.js';
import { abortableSleep, retryDelayMs, withRetry } from '../../../src/llm/with-retry.js';

const rateLimited = (seconds?: string) =>
  requestError('openai', {
    kind: 'http',
    status: 429,
    message: 'slow down',
    headers: seconds ? { 'Retry-After': seconds } : {},
  });

describe('withRetry', () => {
  it('retries retryable llm_api errors up to maxRetries, waiting what the server asked', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw rateLimited('2');
        return 'ok';
      },
      { maxRetries: 3, sleep: async (ms) => void delays.push(ms) },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([2000, 2000]);
  });

  it('does not retry final errors, other codes, or past the limit', async () => {
    for (const error of [
      requestError('openai', { kind: 'http', status: 400, message: 'bad' }),
      new ResearchError('edit_refused', 'no'),
      new Error('plain'),
    ]) {
      let calls = 0;
      const operation = async (): Promise<never> => {
        calls++;
        throw error;
      };
      await expect(withRetry(operation, { maxRetries: 5 })).rejects.toBe(error);
      expect(calls).toBe(1);
    }
    let calls = 0;
    const sleep = async () => undefined;
    await expect(withRetry(() => (calls++, Promise.reject(rateLimited())), { maxRetries: 2, sleep })).rejects.toThrow(
      /429/,
    );
    expect(calls).toBe(3);
  });

  it('backs off exponentially with jitter when the server gives no delay', () => {
    const error = requestError('x', { kind: 'http', status: 503, message: 'busy' });
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelayMs(error, 0, { ...policy, random: () => 1 })).toBe(100);
    expect(retryDelayMs(error, 3, { ...policy, random: () => 1 })).toBe(800);
    expect(retryDelayMs(error, 9, { ...policy, random: () => 1 })).toBe(1000);
    expect(retryDelayMs(error, 3, { ...policy, random: () => 0 })).toBe(400);
  });

  it('reads retry-after-ms, seconds and HTTP dates; an absurd wait is not retried', () => {
    expect(retryAfterMs({ kind: 'http', status: 429, message: '', headers: { 'retry-after-ms': '250' } })).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const date = {
      kind: 'http' as const,
      status: 429,
      message: '',
      headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' },
    };
    expect(retryAfterMs(date, now)).toBe(30_000);
    const tooLong = rateLimited(String(MAX_RETRY_AFTER_MS / 1000 + 60));
    expect(tooLong.retryable).toBe(false);
  });

  it('stops waiting at once when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await withRetry(() => Promise.reject(rateLimited('60')), { maxRetries: 3 }, controller.signal).catch(
      (e: unknown) => e,
    );
    expect(ResearchError.is(error, 'cancelled')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(abortableSleep(10, AbortSignal.abort())).rejects.toThrow(/cancelled/);
  });
});
