// Runs the LlmProvider contract against the real OpenAI and Anthropic SDKs (on scripted loopback servers) and the fake.
import { ResearchError } from '../../../src/domain/errors.js';
import { createAnthropicProvider } from '../../../src/llm/anthropic.js';
import { requestError } from '../../../src/llm/llm-errors.js';
import type { GenerateRequest, LlmMessage } from '../../../src/llm/llm-provider.js';
import { createOpenAIProvider } from '../../../src/llm/openai.js';
import { createScriptedProvider } from '../../../src/llm/scripted.js';
import { type Backend, type LlmHarness, runLlmProviderContract } from '../../contract/llm-provider.contract.js';
import {
  anthropicMessage,
  chatCompletion,
  errorBody,
  type ScriptedReply,
  startScriptedLlmServer,
} from '../../helpers/scripted-llm-server.js';

function reply(kind: 'openai' | 'anthropic', backend: Backend): ScriptedReply {
  if (backend.kind === 'hang') return { hang: true };
  if (backend.kind === 'status') {
    const headers: Record<string, string> =
      backend.retryAfterSeconds === undefined ? {} : { 'retry-after': String(backend.retryAfterSeconds) };
    return { status: backend.status, headers, body: errorBody(kind, backend.status, `status ${backend.status}`) };
  }
  return { body: kind === 'openai' ? chatCompletion(backend.text) : anthropicMessage(backend.text) };
}

function httpHarness(kind: 'openai' | 'anthropic') {
  return async (): Promise<LlmHarness> => {
    let backend: Backend = { kind: 'text', text: '' };
    const server = await startScriptedLlmServer(() => reply(kind, backend));
    return {
      async provider(next, timeoutMs = 10_000) {
        backend = next;
        const settings = { model: 'test-model', apiKey: 'sk-test-key-123456', timeoutMs };
        return kind === 'openai'
          ? createOpenAIProvider({ ...settings, baseUrl: `${server.url}/v1` })
          : createAnthropicProvider({ ...settings, baseUrl: server.url });
      },
      received: () =>
        server.requests.map(({ body }) => {
          const messages = body.messages as { role: string; content: string }[];
          if (kind === 'anthropic') return { system: body.system as string, messages: messages as LlmMessage[] };
          return {
            system: messages[0]?.content as string,
            messages: messages.slice(1) as LlmMessage[],
          };
        }),
      close: () => server.close(),
    };
  };
}

runLlmProviderContract('openai (real SDK, scripted server)', httpHarness('openai'));
runLlmProviderContract('anthropic (real SDK, scripted server)', httpHarness('anthropic'));

runLlmProviderContract('scripted fake', async () => {
  const received: GenerateRequest[] = [];
  return {
    async provider(backend, timeoutMs = 10_000) {
      const fake = createScriptedProvider((request) => {
        received.push(request);
        if (backend.kind === 'text') return backend.text;
        if (backend.kind === 'status') {
          const headers =
            backend.retryAfterSeconds === undefined ? {} : { 'retry-after': `${backend.retryAfterSeconds}` };
          return requestError('scripted', { kind: 'http', status: backend.status, message: 'scripted', headers });
        }
        return new ResearchError('internal', 'unreachable');
      });
      if (backend.kind !== 'hang') return fake;
      // A hang: nothing answers until the timeout or the caller's abort.
      return {
        name: fake.name,
        generate: (request, options = {}) =>
          new Promise((_resolve, reject) => {
            received.push(request);
            const timer = setTimeout(() => reject(requestError('scripted', { kind: 'timeout', timeoutMs })), timeoutMs);
            options.signal?.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(requestError('scripted', { kind: 'aborted' }));
            });
          }),
      };
    },
    received: () => received.map(({ system, messages }) => ({ system, messages })),
    close: async () => {},
  };
});
