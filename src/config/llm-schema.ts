// The `llm` section of the settings: which provider and model ideate and implement, limits, and prices.
import { z } from 'zod';

export const LLM_PROVIDER_KINDS = ['offline', 'openai', 'anthropic', 'sampling'] as const;
export const LlmProviderKind = z.enum(LLM_PROVIDER_KINDS);
export type LlmProviderKind = z.infer<typeof LlmProviderKind>;

/** Dollars per million tokens. Cached input defaults to the input price when a provider has no discount. */
export const ModelPrice = z.object({
  inputPerMTok: z.number().min(0),
  outputPerMTok: z.number().min(0),
  cachedInputPerMTok: z.number().min(0).optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

/**
 * List prices (USD per million tokens) of a few well-known models, as published in late 2025 and early 2026. They are only
 * defaults: set `llm.prices` in the config file to correct or extend them. A dated snapshot name
 * (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) uses the entry of its undated name.
 */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10, cachedInputPerMTok: 0.125 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2, cachedInputPerMTok: 0.025 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4, cachedInputPerMTok: 0.005 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  o3: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cachedInputPerMTok: 0.275 },
  'claude-opus-4-6': { inputPerMTok: 5, outputPerMTok: 25, cachedInputPerMTok: 0.5 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25, cachedInputPerMTok: 0.5 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5, cachedInputPerMTok: 0.1 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75, cachedInputPerMTok: 1.5 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
};

const Options = z.record(z.string(), z.unknown()).default({});

/** Settings of one role (ideator or implementer); unset provider and model fall back to `llm.provider` / `llm.model`. */
const roleFields = {
  provider: LlmProviderKind.optional(),
  model: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** Extra request fields passed to the provider as they are (e.g. `reasoning_effort`, `thinking`). */
  options: Options,
};

const Endpoint = z.object({
  /** An OpenAI-compatible server (vLLM, Ollama, llama.cpp: `http://host:port/v1`), or another Anthropic host. */
  baseUrl: z.url().optional(),
  /** Secret: read from the environment or a config file, never logged, stored or passed to jobs. */
  apiKey: z.string().min(1).optional(),
});

export const LlmConfig = z.object({
  provider: LlmProviderKind.default('offline'),
  /** Model for both roles unless a role names its own. */
  model: z.string().min(1).optional(),
  ideator: z.object({ ...roleFields, maxTokens: z.number().int().positive().default(8000) }).prefault({}),
  implementer: z
    .object({
      ...roleFields,
      maxTokens: z.number().int().positive().default(16000),
      /** Independent answers sampled in parallel per idea (the paper's N). */
      samples: z.number().int().min(1).max(50).default(10),
      /** Revisions of a refused answer within one sample, each fed the exact error (the paper's R). */
      revisions: z.number().int().min(0).max(10).default(2),
    })
    .prefault({}),
  openai: Endpoint.prefault({}),
  anthropic: Endpoint.prefault({}),
  /** Limit for one request; a request that takes longer is abandoned and retried. */
  timeoutMs: z.number().int().positive().default(300_000),
  /** Retries of a retryable failure (429, 5xx, timeout, lost connection), with backoff. */
  maxRetries: z.number().int().min(0).max(10).default(3),
  /** Model requests in flight at once, across all ideas and samples. */
  maxConcurrentCalls: z.number().int().positive().default(16),
  /** Per-model prices, merged over DEFAULT_PRICES. */
  prices: z.record(z.string(), ModelPrice).default({}),
});
export type LlmConfig = z.infer<typeof LlmConfig>;
export type LlmConfigInput = z.input<typeof LlmConfig>;
