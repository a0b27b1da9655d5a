// The Anthropic adapter: pure mapping (blocks read by type), and the real SDK against a scripted server.
import { afterEach, describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { createLlmIdeator } from '../../../src/ideation/llm-ideator.js';
import { createLlmImplementer } from '../../../src/implementer/llm-implementer.js';
import { createAnthropicProvider, fromAnthropicResponse, toAnthropicRequest } from '../../../src/llm/anthropic.js';
import { retrying } from '../../../src/llm/with-retry.js';
import { makeIdea, proposeRequest, recorded, TOY_FILES, toyManifest } from '../../helpers/llm-fixtures.js';
import {
  anthropicMessage,
  errorBody,
  inOrder,
  type ScriptedLlmServer,
  type ScriptedReply,
  startScriptedLlmServer,
} from '../../helpers/scripted-llm-server.js';

describe('Anthropic mapping', () => {
  it('puts the system prompt in `system` (not in the user turn) and passes options such as thinking', () => {
    const body = toAnthropicRequest(
      {
        system: 'sys',
        messages: [{ role: 'user', content: 'hi' }],
        maxTokens: 13000,
        providerOptions: { thinking: { type: 'enabled', budget_tokens: 3000 } },
      },
      'claude-opus-4-5',
    );
    expect(body).toEqual({
      model: 'claude-opus-4-5',
      max_tokens: 13000,
      system: 'sys',
      messages: [{ role: 'user', content: 'hi' }],
      thinking: { type: 'enabled', budget_tokens: 3000 },
    });
  });

  it('reads only text blocks, and counts cache reads and writes as input', () => {
    const result = fromAnthropicResponse(recorded('anthropic', 'ideas-thinking') as never);
    expect(result.text).toMatch(/^Here are three ideas/);
    expect(result.text).not.toMatch(/this is thinking/);
    expect(result.usage).toEqual({ inputTokens: 5200 + 4096, outputTokens: 700, cachedInputTokens: 4096 });
    expect(fromAnthropicResponse(recorded('anthropic', 'refusal') as never)).toMatchObject({
      text: '',
      stopReason: 'refusal',
    });
    expect(fromAnthropicResponse(recorded('anthropic', 'empty') as never).stopReason).toBe('max_tokens');
  });
});

describe('Anthropic provider over HTTP', () => {
  let server: ScriptedLlmServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (replies: ScriptedReply[]) => {
    server = await startScriptedLlmServer(inOrder(replies));
    return createAnthropicProvider({
      model: 'claude-test',
      baseUrl: server.url,
      apiKey: 'sk-ant-test-0123456789',
      timeoutMs: 5000,
    });
  };

  it('proposes ideas from an answer with a thinking block, and refuses a refusal', async () => {
    const provider = await start([
      { body: recorded('anthropic', 'ideas-thinking') },
      { body: recorded('anthropic', 'refusal') },
    ]);
    const ideator = createLlmIdeator(provider, { model: 'claude-test', maxTokens: 8000 });
    const ideas = await ideator.propose(await proposeRequest({ count: 3 }));
    expect(ideas.map((idea) => idea.title)).toEqual([
      'Cosine schedule with a longer warm-up',
      'SwiGLU feed-forward blocks',
      'Label smoothing',
    ]);
    expect(ideas[0]?.model).toBe('claude-sonnet-4-5-20250929');
    expect(server?.requests[0]?.path).toBe('/v1/messages');
    expect(server?.requests[0]?.body).toMatchObject({ model: 'claude-test', max_tokens: 8000 });
    expect(typeof server?.requests[0]?.body.system).toBe('string');
    const refused = await ideator.propose(await proposeRequest({ count: 1 })).catch((e: unknown) => e);
    expect(ResearchError.is(refused, 'llm_api')).toBe(true);
  });

  it('writes an edit, then a revision that shows the earlier answer and the exact error as turns', async () => {
    const provider = await start([
      { body: anthropicMessage('train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE') },
    ]);
    const writer = createLlmImplementer(provider, { model: 'claude-test', maxTokens: 16000 });
    const idea = makeIdea('idea_1', 'Wider model');
    const history = [{ edit: '', error: 'the edit is empty.' }];
    const written = await writer.writeEdit({ manifest: await toyManifest(), files: TOY_FILES, idea, history });
    expect(written).toMatchObject({ text: expect.stringContaining('WIDTH = 16'), model: 'claude-sonnet-4-5-20250929' });
    const messages = server?.requests[0]?.body.messages as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]?.content).toBe('(empty answer)');
    expect(messages[2]?.content).toContain('the edit is empty.');
    expect(messages[0]?.content).toContain('1| LEARNING_RATE = 0.1');
  });

  it('retries 529 overloaded, then 429 after the retry-after it was given', async () => {
    const provider = await start([
      { status: 529, body: errorBody('anthropic', 529, 'Overloaded') },
      { status: 429, headers: { 'retry-after': '1' }, body: errorBody('anthropic', 429, 'rate limited') },
      { body: anthropicMessage('ok') },
    ]);
    const delays: number[] = [];
    const patient = retrying(provider, { maxRetries: 2, sleep: async (ms) => void delays.push(ms) });
    const result = await patient.generate({ system: 's', messages: [{ role: 'user', content: 'x' }], maxTokens: 10 });
    expect(result.text).toBe('ok');
    expect(delays[1]).toBe(1000);
  });
});
