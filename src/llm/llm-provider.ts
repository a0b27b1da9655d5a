// The seam every model back-end implements: one request in, one answer out, with usage; and a role's request settings.
import type { LlmRole } from '../domain/records.js';

/**
 * A model back-end: the OpenAI Chat Completions API (and OpenAI-compatible servers such as vLLM, Ollama and
 * llama.cpp), the Anthropic Messages API, MCP client sampling, or a scripted fake.
 *
 * Contract, checked by test/contract/llm-provider.contract.ts:
 * - `generate` resolves with the model's text (possibly empty) and token usage, or rejects with a
 *   `ResearchError`: code `llm_api` (with `retryable` true only for rate limits, 5xx, timeouts and lost
 *   connections, and `details.retryAfterMs` when the server said how long to wait), or `cancelled` when
 *   `options.signal` aborted. It never retries by itself: `with-retry.ts` does, around it.
 * - It never logs or returns secrets, and holds no state between calls.
 */
export interface LlmProvider {
  /** Provider kind, e.g. `openai`; recorded in the ledger and in each idea's origin. */
  readonly name: string;
  /** The model it asks for, when known in advance (sampling lets the client choose). */
  readonly model?: string;
  generate(request: GenerateRequest, options?: GenerateOptions): Promise<GenerateResult>;
}

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  system: string;
  /** The conversation so far; it starts and ends with a user message. */
  messages: LlmMessage[];
  maxTokens: number;
  temperature?: number;
  /** Extra request fields for this provider, passed as they are (e.g. `reasoning_effort`, `thinking`). */
  providerOptions?: Record<string, unknown>;
}

/** What the call is for; the cost ledger files the call under it. Providers themselves ignore it. */
export interface CallTags {
  role: LlmRole;
  searchId?: string;
  ideaId?: string;
  implementationId?: string;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  tags?: CallTags;
}

/** end: finished; max_tokens: cut off; refusal: the model declined or a content filter stopped it. */
export type StopReason = 'end' | 'max_tokens' | 'refusal' | 'other';

export interface Usage {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedInputTokens: number;
}

export interface GenerateResult {
  /** The answer's text (reasoning and other non-text blocks left out). */
  text: string;
  /** The model that answered, as the provider reports it. */
  model: string;
  stopReason: StopReason;
  usage: Usage;
  /** The ledger entry of this call, set by the cost meter. */
  callId?: string;
  /** The model's thinking, where the server returns it (`<think>` text, `reasoning_content`); RL trains on it. */
  thinking?: string;
}

export const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };

/** How a role calls its model (from `llm.ideator` / `llm.implementer`). */
export interface RoleSettings {
  model: string;
  maxTokens: number;
  temperature?: number;
  options?: Record<string, unknown>;
}

/** The request fields a role's settings fix: token limit, temperature when set, provider options when set. */
export function requestFields(
  settings: RoleSettings,
): Pick<GenerateRequest, 'maxTokens' | 'temperature' | 'providerOptions'> {
  return {
    maxTokens: settings.maxTokens,
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    ...(settings.options ? { providerOptions: settings.options } : {}),
  };
}
