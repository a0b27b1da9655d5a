// The policy being trained, served on an OpenAI-compatible endpoint (vLLM, SGLang, Ollama): one sample per call.
import type { LlmProvider } from '../src/llm/llm-provider.js';
import { approxTokens } from './tokens.js';
import type { Policy, PolicyPrompt, PolicySample } from './types.js';

export interface EndpointPolicySettings {
  /**
   * The endpoint's provider for a model name (the composition root builds it from the openai adapter, with the
   * cost ledger and retries). The name changes as trainers announce new policies, so there is one per name.
   */
  provider: (model: string) => LlmProvider;
  maxTokens: number;
  temperature: number;
}

export function createEndpointPolicy(settings: EndpointPolicySettings): Policy {
  const providers = new Map<string, LlmProvider>();
  const provider = (model: string): LlmProvider => {
    const found = providers.get(model) ?? settings.provider(model);
    providers.set(model, found);
    return found;
  };
  return {
    kind: 'endpoint',
    async sample(prompt: PolicyPrompt, model: string, signal?: AbortSignal): Promise<PolicySample> {
      const result = await provider(model).generate(
        {
          system: prompt.system,
          messages: [{ role: 'user', content: prompt.user }],
          maxTokens: settings.maxTokens,
          temperature: settings.temperature,
        },
        { ...(signal ? { signal } : {}), tags: { role: 'ideator' } },
      );
      const thinking = result.thinking ?? '';
      const completion = thinking ? `<think>${thinking}</think>\n${result.text}` : result.text;
      const total = result.usage.outputTokens > 0 ? result.usage.outputTokens : approxTokens(completion);
      const share = completion.length === 0 ? 0 : thinking.length / (thinking.length + result.text.length);
      return {
        completion,
        answer: result.text,
        thinkingTokens: Math.round(total * share),
        completionTokens: total,
        meta: { model: result.model, stopReason: result.stopReason },
      };
    },
  };
}
