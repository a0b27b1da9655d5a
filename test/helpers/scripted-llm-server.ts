// A scripted OpenAI-compatible and Anthropic-compatible HTTP server on loopback, so the real SDKs talk to it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server received: path, headers and the parsed JSON body. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** One scripted reply: a JSON body with a status and headers, or a hang (no answer until the client gives up). */
export type ScriptedReply =
  { status?: number; headers?: Record<string, string>; body: unknown; delayMs?: number } | { hang: true };

export type ReplyScript = (request: ReceivedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedLlmServer {
  /** `http://127.0.0.1:<port>`; OpenAI clients want `${url}/v1`. */
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Replies in order; the last one repeats. */
export function inOrder(replies: readonly ScriptedReply[]): ReplyScript {
  return (_request, index) => replies[Math.min(index, replies.length - 1)] as ScriptedReply;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startScriptedLlmServer(script: ReplyScript): Promise<ScriptedLlmServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const received: ReceivedRequest = {
        path: request.url ?? '/',
        headers: request.headers,
        body: await readBody(request),
      };
      const index = requests.length;
      requests.push(received);
      const reply = await script(received, index);
      if ('hang' in reply) return; // never answers; the client times out and closes the socket
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (response.destroyed) return;
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      response.end(JSON.stringify(reply.body));
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let counter = 0;

/** A Chat Completions body as OpenAI (and vLLM, Ollama, llama.cpp) return it. */
export function chatCompletion(
  text: string | null,
  options: {
    model?: string;
    finish?: string;
    refusal?: string;
    usage?: { prompt: number; completion: number; cached?: number };
  } = {},
): unknown {
  const usage = options.usage ?? { prompt: 1200, completion: Math.ceil((text ?? '').length / 4), cached: 0 };
  return {
    id: `chatcmpl-${++counter}`,
    object: 'chat.completion',
    created: 1_760_000_000,
    model: options.model ?? 'gpt-5-mini-2025-08-07',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: options.refusal ?? null },
        logprobs: null,
        finish_reason: options.finish ?? 'stop',
      },
    ],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
      prompt_tokens_details: { cached_tokens: usage.cached ?? 0 },
    },
  };
}

/** A Messages API body as Anthropic returns it; `thinking` adds a thinking block before the text. */
export function anthropicMessage(
  text: string,
  options: {
    model?: string;
    stop?: string;
    thinking?: string;
    usage?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
  } = {},
): unknown {
  const usage = options.usage ?? { input: 1200, output: Math.ceil(text.length / 4) };
  return {
    id: `msg_${++counter}`,
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude-sonnet-4-5-20250929',
    content: [
      ...(options.thinking ? [{ type: 'thinking', thinking: options.thinking, signature: 'sig' }] : []),
      ...(text === '' ? [] : [{ type: 'text', text }]),
    ],
    stop_reason: options.stop ?? 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      output_tokens: usage.output,
      cache_read_input_tokens: usage.cacheRead ?? 0,
      cache_creation_input_tokens: usage.cacheWrite ?? 0,
    },
  };
}

/** An error body in the provider's shape. */
export function errorBody(kind: 'openai' | 'anthropic', status: number, message: string): unknown {
  if (kind === 'anthropic') {
    const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return { type: 'error', error: { type, message } };
  }
  return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
}
