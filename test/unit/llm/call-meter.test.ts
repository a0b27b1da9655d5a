// The cost ledger tap and the price table: every call recorded with tokens, latency and cost; unknown models say so.
import { describe, expect, it } from 'vitest';

import { DEFAULT_PRICES } from '../../../src/config/llm-schema.js';
import { ResearchError } from '../../../src/domain/errors.js';
import type { LlmCall } from '../../../src/domain/records.js';
import { metered } from '../../../src/llm/call-meter.js';
import { createSemaphore, limited } from '../../../src/llm/limit-concurrency.js';
import { requestError } from '../../../src/llm/llm-errors.js';
import { costOf, priceOf } from '../../../src/llm/prices.js';
import { createScriptedProvider } from '../../../src/llm/scripted.js';

const request = { system: 's', messages: [{ role: 'user' as const, content: 'x' }], maxTokens: 10 };

describe('prices', () => {
  it('charges input, cached input and output at their own rates', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 400_000 };
    // gpt-5: 0.6M × $1.25 + 0.4M × $0.125 + 0.1M × $10
    expect(costOf('gpt-5', usage, DEFAULT_PRICES)).toEqual({ costUsd: 0.75 + 0.05 + 1, priced: true });
  });

  it('finds dated snapshots and vendor-prefixed names; unknown models cost 0 and are marked', () => {
    expect(priceOf('claude-sonnet-4-5-20250929', DEFAULT_PRICES)).toBe(DEFAULT_PRICES['claude-sonnet-4-5']);
    expect(priceOf('gpt-4o-2024-08-06', DEFAULT_PRICES)).toBe(DEFAULT_PRICES['gpt-4o']);
    expect(priceOf('openai/gpt-5-mini', DEFAULT_PRICES)).toBe(DEFAULT_PRICES['gpt-5-mini']);
    expect(priceOf('gpt-5.9-turbo', DEFAULT_PRICES)).toBeUndefined();
    expect(
      costOf('Qwen/Qwen3-8B', { inputTokens: 10, outputTokens: 10, cachedInputTokens: 0 }, DEFAULT_PRICES),
    ).toEqual({
      costUsd: 0,
      priced: false,
    });
  });
});

describe('metered provider', () => {
  it('records each call with its tags, tokens, latency and cost, and returns the ledger id', async () => {
    const calls: LlmCall[] = [];
    let clock = 1000;
    const provider = metered(
      createScriptedProvider([
        {
          text: 'hi',
          model: 'gpt-5-mini-2025-08-07',
          usage: { inputTokens: 2000, outputTokens: 500, cachedInputTokens: 0 },
        },
      ]),
      { sink: { record: async (call) => void calls.push(call) }, prices: DEFAULT_PRICES, now: () => (clock += 250) },
    );
    const result = await provider.generate(request, {
      tags: { role: 'implementer', searchId: 'search_1', ideaId: 'idea_1' },
    });
    expect(result.callId).toMatch(/^call_/);
    expect(calls).toEqual([
      expect.objectContaining({
        id: result.callId,
        provider: 'scripted',
        model: 'gpt-5-mini-2025-08-07',
        role: 'implementer',
        searchId: 'search_1',
        ideaId: 'idea_1',
        inputTokens: 2000,
        outputTokens: 500,
        latencyMs: 250,
        costUsd: 0.0015,
        priced: true,
        outcome: 'ok',
      }),
    ]);
  });

  it('records failed calls with their error (never the prompt), skips cancelled ones, survives a broken ledger', async () => {
    const calls: LlmCall[] = [];
    const sink = { record: async (call: LlmCall) => void calls.push(call) };
    const failing = metered(
      createScriptedProvider([requestError('openai', { kind: 'http', status: 500, message: 'boom' })], {
        model: 'gpt-5',
      }),
      { sink, prices: DEFAULT_PRICES },
    );
    await expect(failing.generate(request)).rejects.toThrow(/500/);
    expect(calls[0]).toMatchObject({
      outcome: 'error',
      model: 'gpt-5',
      costUsd: 0,
      error: { code: 'llm_api', status: 500 },
    });
    expect(JSON.stringify(calls[0])).not.toContain('"s"');
    const cancelled = metered(createScriptedProvider([new ResearchError('cancelled', 'stop')]), { sink, prices: {} });
    await expect(cancelled.generate(request)).rejects.toThrow(/stop/);
    expect(calls).toHaveLength(1);
    const broken = metered(createScriptedProvider(['fine']), {
      sink: { record: () => Promise.reject(new Error('disk full')) },
      prices: {},
    });
    expect((await broken.generate(request)).text).toBe('fine');
  });
});

describe('concurrency limit', () => {
  it('never has more calls in flight than the limit, and drops aborted waiters', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = createScriptedProvider(['x'], { delayMs: 20 });
    const counting = {
      name: slow.name,
      async generate(...args: Parameters<typeof slow.generate>) {
        peak = Math.max(peak, ++inFlight);
        try {
          return await slow.generate(...args);
        } finally {
          inFlight--;
        }
      },
    };
    const provider = limited(counting, createSemaphore(3));
    await Promise.all(Array.from({ length: 10 }, () => provider.generate(request)));
    expect(peak).toBe(3);
    const one = limited(counting, createSemaphore(1));
    const first = one.generate(request);
    const waiting = one.generate(request, { signal: AbortSignal.timeout(5) });
    await expect(waiting).rejects.toThrow(/cancelled/);
    await first;
  });
});
