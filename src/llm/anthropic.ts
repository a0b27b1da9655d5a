// Anthropic Messages API: pure mapping plus a thin shell. Text blocks are read by type, never by position.
import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';

import { ResearchError } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';
import { type RequestFailure, requestError } from './llm-errors.js';
import type { GenerateOptions, GenerateRequest, GenerateResult, LlmProvider, StopReason } from './llm-provider.js';
import { sdkLogger } from './sdk-logger.js';

type MessagesRequest = Anthropic.Messages.MessageCreateParamsNonStreaming;
type MessagesResponse = Anthropic.Messages.Message;

export interface AnthropicSettings {
  model: string;
  baseUrl?: string;
  apiKey?: string;
  timeoutMs: number;
  log?: Logger;
}

export function toAnthropicRequest(request: GenerateRequest, model: string): MessagesRequest {
  const body: MessagesRequest = {
    model,
    max_tokens: request.maxTokens,
    system: request.system,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  };
  return { ...body, ...(request.providerOptions ?? {}) } as MessagesRequest;
}

const STOP_REASONS: Record<string, StopReason> = {
  end_turn: 'end',
  stop_sequence: 'end',
  max_tokens: 'max_tokens',
  model_context_window_exceeded: 'max_tokens',
  refusal: 'refusal',
};

export function fromAnthropicResponse(response: MessagesResponse): GenerateResult {
  // Thinking, redacted thinking and tool blocks are not the answer; only text blocks are.
  const text = (response.content ?? [])
    .filter((block): block is Anthropic.Messages.TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('');
  const usage = response.usage;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  return {
    text,
    model: response.model,
    stopReason: STOP_REASONS[response.stop_reason ?? ''] ?? 'other',
    usage: {
      inputTokens: (usage?.input_tokens ?? 0) + cacheRead + cacheWrite,
      outputTokens: usage?.output_tokens ?? 0,
      cachedInputTokens: cacheRead,
    },
  };
}

/** The SDK's error classes as a RequestFailure; undefined for anything else. */
export function anthropicFailure(error: unknown, timeoutMs: number): RequestFailure | undefined {
  if (error instanceof APIUserAbortError) return { kind: 'aborted' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', timeoutMs };
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { kind: 'connection', message: `${error.message}${cause}` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const message = error.message.replace(new RegExp(`^${error.status}\\s*`), '') || 'no message';
    return { kind: 'http', status: error.status, message, headers: error.headers ?? undefined };
  }
  return undefined;
}

export function createAnthropicProvider(settings: AnthropicSettings): LlmProvider {
  if (!settings.apiKey) {
    throw new ResearchError('config_invalid', 'the anthropic provider needs an API key: set ANTHROPIC_API_KEY');
  }
  const secrets = [settings.apiKey];
  const client = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl ?? 'https://api.anthropic.com',
    maxRetries: 0,
    // An explicit timeout also stops the SDK refusing long non-streaming requests.
    timeout: settings.timeoutMs,
    logger: sdkLogger(settings.log),
    logLevel: 'warn',
    openTelemetry: false,
  });
  return {
    name: 'anthropic',
    model: settings.model,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      try {
        const response = await client.messages.create(toAnthropicRequest(request, settings.model), {
          signal: options.signal,
          timeout: settings.timeoutMs,
          maxRetries: 0,
        });
        return fromAnthropicResponse(response);
      } catch (error) {
        if (ResearchError.is(error)) throw error;
        const failure = options.signal?.aborted
          ? { kind: 'aborted' as const }
          : anthropicFailure(error, settings.timeoutMs);
        if (failure) throw requestError('anthropic', failure, { secrets, cause: error });
        throw new ResearchError('llm_api', `unexpected answer from the anthropic API: ${String(error)}`, {
          cause: error,
        });
      }
    },
  };
}
