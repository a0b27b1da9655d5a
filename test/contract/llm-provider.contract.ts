// The behaviour every LlmProvider shares; run it against each one (see test/unit/llm/llm-providers.test.ts).
import { afterEach, describe, expect, it } from 'vitest';

import { ResearchError } from '../../src/domain/errors.js';
import type { LlmMessage, LlmProvider } from '../../src/llm/llm-provider.js';

/** What the back-end behind the provider does with the next request. */
export type Backend =
  { kind: 'text'; text: string } | { kind: 'status'; status: number; retryAfterSeconds?: number } | { kind: 'hang' };

export interface LlmHarness {
  /** A provider whose back-end behaves as given; `timeoutMs` bounds one request. */
  provider(backend: Backend, timeoutMs?: number): Promise<LlmProvider>;
  /** System prompt and conversation of each request the back-end received. */
  received(): { system: string; messages: LlmMessage[] }[];
  close(): Promise<void>;
}

const request = {
  system: 'You are terse.',
  messages: [
    { role: 'user' as const, content: 'Say hi.' },
    { role: 'assistant' as const, content: 'hi' },
    { role: 'user' as const, content: 'Again.' },
  ],
  maxTokens: 100,
};

async function failure(promise: Promise<unknown>): Promise<ResearchError> {
  try {
    await promise;
  } catch (error) {
    if (ResearchError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ResearchError');
}

export function runLlmProviderContract(name: string, makeHarness: () => Promise<LlmHarness>): void {
  describe(`LlmProvider contract: ${name}`, () => {
    let harness: LlmHarness | undefined;
    const open = async (): Promise<LlmHarness> => (harness = await makeHarness());
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('answers with text, model, stop reason and usage, and sends the whole conversation', async () => {
      const h = await open();
      const provider = await h.provider({ kind: 'text', text: 'hello there' });
      const result = await provider.generate(request);
      expect(result.text).toBe('hello there');
      expect(result.model.length).toBeGreaterThan(0);
      expect(result.stopReason).toBe('end');
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      expect(result.usage.cachedInputTokens).toBeGreaterThanOrEqual(0);
      expect(h.received().at(-1)).toEqual({ system: request.system, messages: request.messages });
    });

    it('returns an empty answer as empty text, not as an error', async () => {
      const provider = await (await open()).provider({ kind: 'text', text: '' });
      expect((await provider.generate(request)).text).toBe('');
    });

    it('reports a rate limit as retryable, with how long the server asked to wait', async () => {
      const provider = await (await open()).provider({ kind: 'status', status: 429, retryAfterSeconds: 7 });
      const error = await failure(provider.generate(request));
      expect(error.code).toBe('llm_api');
      expect(error.retryable).toBe(true);
      expect(error.details?.retryAfterMs).toBe(7000);
    });

    it('reports server errors as retryable and bad requests as final', async () => {
      const h = await open();
      const server = await failure((await h.provider({ kind: 'status', status: 500 })).generate(request));
      expect([server.code, server.retryable]).toEqual(['llm_api', true]);
      const bad = await failure((await h.provider({ kind: 'status', status: 400 })).generate(request));
      expect([bad.code, bad.retryable]).toEqual(['llm_api', false]);
    });

    it('gives up on a hanging request after its timeout, as a retryable error', async () => {
      const provider = await (await open()).provider({ kind: 'hang' }, 300);
      const started = Date.now();
      const error = await failure(provider.generate(request));
      expect([error.code, error.retryable]).toEqual(['llm_api', true]);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('stops at once when the caller aborts, with code cancelled', async () => {
      const provider = await (await open()).provider({ kind: 'hang' }, 30_000);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await failure(provider.generate(request, { signal: controller.signal }));
      expect(error.code).toBe('cancelled');
    });
  });
}
