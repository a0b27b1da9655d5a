// Settings as they may be shown: secrets replaced, so a printed or logged config never carries a key.
import type { Config } from './schema.js';

export const REDACTED = '[redacted]';

/** A copy of `config` with every API key and token replaced by a marker. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  for (const endpoint of [copy.llm.openai, copy.llm.anthropic]) {
    if (endpoint.apiKey !== undefined) endpoint.apiKey = REDACTED;
  }
  if (copy.http.token !== undefined) copy.http.token = REDACTED;
  return copy;
}

/** The secret strings in `config`, for scrubbing text that might echo one (error messages, say). */
export function secretsOf(config: Config): string[] {
  return [config.llm.openai.apiKey, config.llm.anthropic.apiKey, config.http.token].filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= 8,
  );
}
