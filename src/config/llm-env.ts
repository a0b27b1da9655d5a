// The `llm` settings that come from environment variables (read by load-config.ts, the only reader of process.env).

/** Environment variables that configure model providers, and where each lands in the settings. */
export const LLM_ENV_VARS: Record<string, string> = {
  GROUNDWORK_PROVIDER: 'llm.provider',
  GROUNDWORK_MODEL: 'llm.model',
  GROUNDWORK_IDEATOR_PROVIDER: 'llm.ideator.provider',
  GROUNDWORK_IDEATOR_MODEL: 'llm.ideator.model',
  GROUNDWORK_IMPLEMENTER_PROVIDER: 'llm.implementer.provider',
  GROUNDWORK_IMPLEMENTER_MODEL: 'llm.implementer.model',
  GROUNDWORK_SAMPLES: 'llm.implementer.samples',
  GROUNDWORK_REVISIONS: 'llm.implementer.revisions',
  GROUNDWORK_LLM_TIMEOUT_MS: 'llm.timeoutMs',
  GROUNDWORK_LLM_MAX_RETRIES: 'llm.maxRetries',
  OPENAI_API_KEY: 'llm.openai.apiKey',
  OPENAI_BASE_URL: 'llm.openai.baseUrl',
  ANTHROPIC_API_KEY: 'llm.anthropic.apiKey',
  ANTHROPIC_BASE_URL: 'llm.anthropic.baseUrl',
};

const NUMERIC = new Set(['llm.implementer.samples', 'llm.implementer.revisions', 'llm.timeoutMs', 'llm.maxRetries']);

/** The `llm` part of the settings named by `env`, as a nested object (empty when none is set). */
export function llmFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const llm: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(LLM_ENV_VARS)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const keys = path.split('.').slice(1);
    let target = llm;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    // Numbers stay strings when they are not numbers, so validation names the variable's bad value.
    target[keys.at(-1) as string] = NUMERIC.has(path) && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return llm;
}
