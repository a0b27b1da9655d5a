// The LLM implementer: the implement prompt, then one follow-up turn per refused attempt of the chain.
import { type LlmMessage, type LlmProvider, type RoleSettings, requestFields } from '../llm/llm-provider.js';
import type { Implementer, ImplementRequest, WrittenEdit } from './implementer.js';
import { implementPrompt } from './prompts/implement.js';
import { revisePrompt } from './prompts/revise.js';

/** The conversation for an attempt: the task, then each earlier answer and the error it met. */
export function implementMessages(request: ImplementRequest): { system: string; messages: LlmMessage[] } {
  const prompt = implementPrompt({ manifest: request.manifest, files: request.files, idea: request.idea });
  const messages: LlmMessage[] = [{ role: 'user', content: prompt.user }];
  const history = request.history ?? (request.previous ? [request.previous] : []);
  for (const step of history) {
    // Some APIs refuse an empty assistant turn; an empty answer still has to be shown for what it was.
    messages.push({ role: 'assistant', content: step.edit.trim() === '' ? '(empty answer)' : step.edit });
    messages.push({ role: 'user', content: revisePrompt(step.error) });
  }
  return { system: prompt.system, messages };
}

export function createLlmImplementer(llm: LlmProvider, settings: RoleSettings): Implementer {
  return {
    name: llm.name,
    model: settings.model,
    async writeEdit(request: ImplementRequest, options: { signal?: AbortSignal } = {}): Promise<WrittenEdit> {
      const { idea } = request;
      const result = await llm.generate(
        {
          ...implementMessages(request),
          ...requestFields(settings),
        },
        {
          signal: options.signal,
          tags: {
            role: 'implementer',
            ideaId: idea.id,
            ...(idea.searchId ? { searchId: idea.searchId } : {}),
            ...(request.implementationId ? { implementationId: request.implementationId } : {}),
          },
        },
      );
      return {
        text: result.text,
        model: result.model,
        ...(result.callId ? { callId: result.callId } : {}),
        ...(result.stopReason === 'max_tokens' ? { truncated: true } : {}),
      };
    },
  };
}
