// A scripted LlmProvider for tests and dry runs: replays turns, records every request it was sent.
import { ResearchError } from '../domain/errors.js';
import type { GenerateOptions, GenerateRequest, GenerateResult, LlmProvider } from './llm-provider.js';

/** One scripted answer: its text, a partial result, or an error to throw. */
export type ScriptedTurn = string | (Partial<GenerateResult> & { text: string }) | Error;

/** Either a list played in order (the last turn repeats) or a function of the request and its index. */
export type Script = readonly ScriptedTurn[] | ((request: GenerateRequest, index: number) => ScriptedTurn);

export interface ScriptedProvider extends LlmProvider {
  /** Every request received, in order. */
  readonly requests: GenerateRequest[];
}

/** Rough token count for usage figures: four characters a token. */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function createScriptedProvider(
  script: Script,
  options: { name?: string; model?: string; delayMs?: number } = {},
): ScriptedProvider {
  const requests: GenerateRequest[] = [];
  const model = options.model ?? 'scripted-model';
  return {
    name: options.name ?? 'scripted',
    model,
    requests,
    async generate(request: GenerateRequest, callOptions: GenerateOptions = {}): Promise<GenerateResult> {
      const index = requests.length;
      requests.push(structuredClone(request));
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (callOptions.signal?.aborted) throw new ResearchError('cancelled', 'the scripted request was cancelled');
      const turn =
        typeof script === 'function' ? script(request, index) : (script[Math.min(index, script.length - 1)] ?? '');
      if (turn instanceof Error) throw turn;
      const partial = typeof turn === 'string' ? { text: turn } : turn;
      const prompt = request.system + request.messages.map((message) => message.content).join('');
      return {
        model,
        stopReason: 'end',
        usage: { inputTokens: tokens(prompt), outputTokens: tokens(partial.text), cachedInputTokens: 0 },
        ...partial,
      };
    },
  };
}
