// The `sampling` model back-end: the MCP client's own model answers, through sampling/createMessage.
import { AsyncLocalStorage } from 'node:async_hooks';

import {
  type CreateMessageRequest,
  type CreateMessageResult,
  ErrorCode,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';

import { errorMessage, ResearchError } from '../domain/errors.js';
import { type GenerateResult, type LlmProvider, NO_USAGE, type StopReason } from '../llm/llm-provider.js';

/** The client a tool call came from, as the sampling provider sees it. */
export interface SamplingClient {
  /** For messages, e.g. `the client "claude-ai"`. */
  readonly name: string;
  supportsSampling(): boolean;
  createMessage(
    params: CreateMessageRequest['params'],
    options: { signal?: AbortSignal; timeout?: number },
  ): Promise<CreateMessageResult>;
}

const current = new AsyncLocalStorage<SamplingClient>();

/**
 * Runs `work` with `client` as the model to ask. Work started inside it (a search, say) keeps asking the same
 * client after the call returns, for as long as that client stays connected.
 */
export function withSamplingClient<T>(client: SamplingClient, work: () => Promise<T>): Promise<T> {
  return current.run(client, work);
}

function stopReason(reason: CreateMessageResult['stopReason']): StopReason {
  if (reason === 'maxTokens') return 'max_tokens';
  if (reason === 'endTurn' || reason === 'stopSequence') return 'end';
  return 'other';
}

function clientOrThrow(): SamplingClient {
  const client = current.getStore();
  if (!client) {
    throw new ResearchError(
      'llm_api',
      'the sampling provider asks the MCP client that made the request, and this work has none; use another provider (llm.provider) for work that runs without a client',
    );
  }
  if (!client.supportsSampling()) {
    throw new ResearchError(
      'llm_api',
      `this server is set to ask the MCP client's model (llm.provider "sampling"), but ${client.name} does not support sampling. Write the idea and the edit yourself (implement_idea with idea, environment and edit), use a client that supports sampling, or set llm.provider to offline, openai or anthropic`,
    );
  }
  return client;
}

export interface SamplingOptions {
  /** How long to wait for one answer; a person may have to approve each request in the client. */
  timeoutMs?: number;
}

export function createSamplingLlmProvider(options: SamplingOptions = {}): LlmProvider {
  return {
    name: 'sampling',
    async generate(request, { signal } = {}): Promise<GenerateResult> {
      const client = clientOrThrow();
      let result: CreateMessageResult;
      try {
        result = await client.createMessage(
          {
            systemPrompt: request.system,
            messages: request.messages.map((message) => ({
              role: message.role,
              content: { type: 'text', text: message.content },
            })),
            maxTokens: request.maxTokens,
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            includeContext: 'none',
          },
          { signal, timeout: options.timeoutMs ?? 300_000 },
        );
      } catch (error) {
        if (signal?.aborted)
          throw new ResearchError('cancelled', 'cancelled while the client was sampling', { cause: error });
        const timedOut = error instanceof McpError && error.code === ErrorCode.RequestTimeout;
        throw new ResearchError(
          'llm_api',
          `${client.name} did not answer the sampling request: ${errorMessage(error)}`,
          {
            retryable: timedOut,
            cause: error,
          },
        );
      }
      return {
        text: result.content.type === 'text' ? result.content.text : '',
        model: result.model,
        stopReason: stopReason(result.stopReason),
        usage: NO_USAGE,
      };
    },
  };
}
