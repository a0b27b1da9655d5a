// OpenAI Chat Completions (and OpenAI-compatible servers: vLLM, Ollama, llama.cpp): pure mapping plus a thin shell.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

import { ResearchError } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';
import { type RequestFailure, requestError } from './llm-errors.js';
import type { GenerateOptions, GenerateRequest, GenerateResult, LlmProvider, StopReason } from './llm-provider.js';
import { sdkLogger } from './sdk-logger.js';

type ChatRequest = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type ChatResponse = OpenAI.Chat.Completions.ChatCompletion;

export interface OpenAISettings {
  model: string;
  /** Unset: api.openai.com. Set: an OpenAI-compatible server (`http://host:port/v1`). */
  baseUrl?: string;
  apiKey?: string;
  timeoutMs: number;
  log?: Logger;
}

/**
 * The Chat Completions body. OpenAI's own API wants `max_completion_tokens` (reasoning models refuse
 * `max_tokens`); compatible servers all understand `max_tokens`.
 */
export function toOpenAIRequest(request: GenerateRequest, target: { model: string; compatible: boolean }): ChatRequest {
  const body: ChatRequest = {
    model: target.model,
    messages: [
      { role: 'system', content: request.system },
      ...request.messages.map((message) => ({ role: message.role, content: message.content })),
    ],
    ...(target.compatible ? { max_tokens: request.maxTokens } : { max_completion_tokens: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  };
  return { ...body, ...(request.providerOptions ?? {}) } as ChatRequest;
}

const STOP_REASONS: Record<string, StopReason> = {
  stop: 'end',
  length: 'max_tokens',
  content_filter: 'refusal',
};

/** Reasoning models served by vLLM or Ollama may put their thinking in the content, in <think> tags. */
export function stripThinking(text: string): string {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('<think>')) return text;
  const end = trimmed.indexOf('</think>');
  return end === -1 ? '' : trimmed.slice(end + '</think>'.length).trimStart();
}

/** The thinking a reasoning model returned: vLLM's `reasoning_content`, Ollama's `reasoning`, or a leading `<think>` block. */
export function thinkingOf(message: unknown): string | undefined {
  const fields = (message ?? {}) as { reasoning_content?: unknown; reasoning?: unknown; content?: unknown };
  for (const value of [fields.reasoning_content, fields.reasoning])
    if (typeof value === 'string' && value) return value;
  const content = typeof fields.content === 'string' ? fields.content.trimStart() : '';
  if (!content.startsWith('<think>')) return undefined;
  const end = content.indexOf('</think>');
  return content.slice('<think>'.length, end === -1 ? undefined : end);
}

export function fromOpenAIResponse(response: ChatResponse): GenerateResult {
  const choice = response.choices?.[0];
  const message = choice?.message;
  const thinking = thinkingOf(message);
  const refusal = typeof message?.refusal === 'string' && message.refusal.length > 0 ? message.refusal : undefined;
  const usage = response.usage;
  return {
    text: refusal ?? stripThinking(message?.content ?? ''),
    model: response.model,
    stopReason: refusal ? 'refusal' : (STOP_REASONS[choice?.finish_reason ?? ''] ?? 'other'),
    usage: {
      inputTokens: usage?.prompt_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
      cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    },
    ...(thinking === undefined ? {} : { thinking }),
  };
}

/** The SDK's error classes as a RequestFailure; undefined for anything else. */
export function openAIFailure(error: unknown, timeoutMs: number): RequestFailure | undefined {
  if (error instanceof APIUserAbortError) return { kind: 'aborted' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', timeoutMs };
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { kind: 'connection', message: `${error.message}${cause}` };
  }
  if (error instanceof APIError && error.status !== undefined) {
    const message = error.message.replace(new RegExp(`^${error.status}\\s*`), '') || 'no message';
    return { kind: 'http', status: error.status, message, headers: error.headers };
  }
  return undefined;
}

export function createOpenAIProvider(settings: OpenAISettings): LlmProvider {
  const compatible = settings.baseUrl !== undefined;
  if (!compatible && !settings.apiKey) {
    throw new ResearchError(
      'config_invalid',
      'the openai provider needs an API key: set OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible server',
    );
  }
  const secrets = settings.apiKey ? [settings.apiKey] : [];
  const client = new OpenAI({
    // Local servers ignore the key but the SDK insists on one.
    apiKey: settings.apiKey ?? 'not-needed',
    baseURL: settings.baseUrl ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: settings.timeoutMs,
    logger: sdkLogger(settings.log),
    logLevel: 'warn',
  });
  return {
    name: 'openai',
    model: settings.model,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      try {
        const response = await client.chat.completions.create(
          toOpenAIRequest(request, { model: settings.model, compatible }),
          {
            signal: options.signal,
            timeout: settings.timeoutMs,
            maxRetries: 0,
          },
        );
        return fromOpenAIResponse(response);
      } catch (error) {
        if (ResearchError.is(error)) throw error;
        const failure = options.signal?.aborted
          ? { kind: 'aborted' as const }
          : openAIFailure(error, settings.timeoutMs);
        if (failure) throw requestError('openai', failure, { secrets, cause: error });
        throw new ResearchError('llm_api', `unexpected answer from the openai API: ${String(error)}`, { cause: error });
      }
    },
  };
}
