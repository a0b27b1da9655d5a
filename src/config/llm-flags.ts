// Command-line flags for the model providers, turned into `llm` config overrides (highest precedence).
import { ResearchError } from '../domain/errors.js';
import type { LlmConfigInput } from './llm-schema.js';

/** parseArgs options; spread them into a command's options. */
export const LLM_FLAGS = {
  provider: { type: 'string' },
  model: { type: 'string' },
  'ideator-model': { type: 'string' },
  'implementer-model': { type: 'string' },
  samples: { type: 'string' },
  revisions: { type: 'string' },
} as const;

export const LLM_FLAGS_USAGE = `Model options (override GROUNDWORK_* variables and the config file):
  --provider NAME            offline (default), openai, anthropic or sampling
  --model NAME               model for ideas and edits
  --ideator-model NAME       model that proposes ideas
  --implementer-model NAME   model that writes edits
  --samples N                parallel answers per idea (default 10)
  --revisions N              revisions of a refused answer (default 2)`;

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new ResearchError('bad_input', `--${flag} must be a whole number; got "${value}"`);
  return number;
}

/** The `llm` overrides the given flag values ask for; only flags that were given appear. */
export function llmFlagOverrides(values: Partial<Record<keyof typeof LLM_FLAGS, string>>): LlmConfigInput {
  const llm: Record<string, unknown> = {};
  if (values.provider !== undefined) llm.provider = values.provider;
  if (values.model !== undefined) llm.model = values.model;
  const ideator = values['ideator-model'] === undefined ? undefined : { model: values['ideator-model'] };
  const implementer = {
    ...(values['implementer-model'] === undefined ? {} : { model: values['implementer-model'] }),
    ...(values.samples === undefined ? {} : { samples: count(values.samples, 'samples') }),
    ...(values.revisions === undefined ? {} : { revisions: count(values.revisions, 'revisions') }),
  };
  if (ideator) llm.ideator = ideator;
  if (Object.keys(implementer).length > 0) llm.implementer = implementer;
  return llm as LlmConfigInput;
}
