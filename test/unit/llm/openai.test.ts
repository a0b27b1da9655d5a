// The OpenAI adapter: pure mapping, and the real SDK against a scripted OpenAI-compatible server.
import { afterEach, describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { createLlmIdeator } from '../../../src/ideation/llm-ideator.js';
import { createOpenAIProvider, fromOpenAIResponse, stripThinking, toOpenAIRequest } from '../../../src/llm/openai.js';
import { retrying } from '../../../src/llm/with-retry.js';
import { proposeRequest, recorded } from '../../helpers/llm-fixtures.js';
import {
  chatCompletion,
  errorBody,
  inOrder,
  type ScriptedLlmServer,
  type ScriptedReply,
  startScriptedLlmServer,
} from '../../helpers/scripted-llm-server.js';

const request = { system: 'sys', messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 50 };

describe('OpenAI mapping', () => {
  it('uses max_completion_tokens for OpenAI and max_tokens for compatible servers, and passes options through', () => {
    const own = toOpenAIRequest({ ...request, temperature: 0.7 }, { model: 'gpt-5', compatible: false });
    expect(own).toMatchObject({ model: 'gpt-5', max_completion_tokens: 50, temperature: 0.7 });
    expect(own).not.toHaveProperty('max_tokens');
    expect(own.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'hi' },
    ]);
    const local = toOpenAIRequest(
      { ...request, providerOptions: { reasoning_effort: 'low', top_k: 20 } },
      { model: 'qwen', compatible: true },
    );
    expect(local).toMatchObject({ max_tokens: 50, reasoning_effort: 'low', top_k: 20 });
    expect(local).not.toHaveProperty('temperature');
  });

  it('maps usage (cached tokens included), refusals, cut-off answers and <think> blocks', () => {
    const tagged = fromOpenAIResponse(recorded('openai', 'ideas-tagged') as never);
    expect(tagged).toMatchObject({ stopReason: 'end', model: 'gpt-5-mini-2025-08-07' });
    expect(tagged.usage).toEqual({ inputTokens: 5400, outputTokens: 620, cachedInputTokens: 1024 });
    const refusal = fromOpenAIResponse(recorded('openai', 'refusal') as never);
    expect(refusal).toMatchObject({ stopReason: 'refusal', text: expect.stringMatching(/can't help/) });
    expect(fromOpenAIResponse(recorded('openai', 'empty') as never)).toMatchObject({
      text: '',
      stopReason: 'max_tokens',
    });
    expect(fromOpenAIResponse(recorded('openai', 'vllm-think') as never).text).toMatch(/^\*\*\[Title\]/);
    expect(stripThinking('<think>never closed')).toBe('');
    expect(stripThinking('no thinking')).toBe('no thinking');
  });
});

describe('OpenAI provider over HTTP', () => {
  let server: ScriptedLlmServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (replies: ScriptedReply[]) => {
    server = await startScriptedLlmServer(inOrder(replies));
    return createOpenAIProvider({
      model: 'gpt-5-mini',
      baseUrl: `${server.url}/v1`,
      apiKey: 'sk-live-abcdef123456',
      timeoutMs: 5000,
    });
  };

  it('proposes ideas from tagged, JSON and <think> answers through the real SDK', async () => {
    const provider = await start([
      { body: recorded('openai', 'ideas-tagged') },
      { body: recorded('openai', 'ideas-json') },
      { body: recorded('openai', 'vllm-think') },
    ]);
    const ideator = createLlmIdeator(provider, { model: 'gpt-5-mini', maxTokens: 4000 });
    const tagged = await ideator.propose(await proposeRequest({ count: 3 }));
    expect(tagged.map((idea) => idea.title)).toEqual([
      'Cosine schedule with a longer warm-up',
      'SwiGLU feed-forward blocks',
      'Label smoothing',
    ]);
    expect(tagged[0]?.text).toMatch(
      /^\[Experiment\] The model trains .*\n\[Code Changes\] In train.py set WARMUP_STEPS = 80/s,
    );
    const json = await ideator.propose(await proposeRequest({ count: 2 }));
    expect(json.map((idea) => idea.title)).toEqual(['Untie the output head', 'Higher AdamW beta2']);
    const thinking = await ideator.propose(await proposeRequest({ count: 3 }));
    expect(thinking).toHaveLength(3);
    expect(server?.requests[0]?.headers.authorization).toBe('Bearer sk-live-abcdef123456');
    expect(server?.requests[0]?.body).toMatchObject({ model: 'gpt-5-mini', max_tokens: 4000 });
  });

  it('rejects refusals, empty answers and junk instead of storing them', async () => {
    const provider = await start([
      { body: recorded('openai', 'refusal') },
      { body: recorded('openai', 'empty') },
      { body: recorded('openai', 'junk') },
    ]);
    const ideator = createLlmIdeator(provider, { model: 'gpt-5-mini', maxTokens: 4000 });
    const error = await ideator.propose(await proposeRequest({ count: 1 })).catch((e: unknown) => e);
    expect(ResearchError.is(error, 'llm_api')).toBe(true);
    expect((error as Error).message).toMatch(/declined \(refusal\); the answer was empty/);
    const junk = await ideator.propose(await proposeRequest({ count: 1 })).catch((e: unknown) => e);
    expect((junk as Error).message).toMatch(/rejected \(placeholder text/);
  });

  it('retries a 429 after the server-given delay, then succeeds; 500s too; a key in an error is scrubbed', async () => {
    const provider = await start([
      { status: 429, headers: { 'retry-after-ms': '150' }, body: errorBody('openai', 429, 'Rate limit reached') },
      { status: 500, body: errorBody('openai', 500, 'The server had an error') },
      { body: chatCompletion('done') },
      { status: 401, body: errorBody('openai', 401, 'Incorrect API key provided: sk-live-abcdef123456') },
    ]);
    const delays: number[] = [];
    const patient = retrying(provider, {
      maxRetries: 3,
      baseDelayMs: 10,
      sleep: async (ms) => void delays.push(ms),
    });
    expect((await patient.generate(request)).text).toBe('done');
    expect(delays[0]).toBe(150);
    expect(delays).toHaveLength(2);
    const denied = (await patient.generate(request).catch((e: unknown) => e)) as ResearchError;
    expect(denied.retryable).toBe(false);
    expect(denied.message).toMatch(/answered 401: .*\[redacted\].*Check the API key \(OPENAI_API_KEY\)/);
    expect(denied.message).not.toContain('sk-live-abcdef123456');
    expect(server?.requests).toHaveLength(4);
  });

  it('refuses to start without a key for api.openai.com, and needs none for a local server', () => {
    expect(() => createOpenAIProvider({ model: 'gpt-5', timeoutMs: 1000 })).toThrow(/OPENAI_API_KEY/);
    expect(createOpenAIProvider({ model: 'llama3', baseUrl: 'http://127.0.0.1:11434/v1', timeoutMs: 1000 }).name).toBe(
      'openai',
    );
  });
});
