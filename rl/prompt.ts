// The policy's prompt for one group: the environment's one-idea prompt, plus past results under dynamic-prompt.
import type { RlRollout } from '../src/domain/rl-records.js';
import { createRandom } from '../src/util/random.js';
import type { PastResult, PolicyPrompt } from './types.js';

const MAX_SHOWN_CHARS = 600;

export interface BasePrompt {
  system: string;
  user: string;
}

/** A seed that differs per run, epoch and group, so each group's sample of past results differs too. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
  }
  return (h ^ (h >>> 15)) >>> 0;
}

/** Up to `count` random ideas of the previous epoch with what they scored. */
export function pastResults(previous: readonly RlRollout[], count: number, seed: number): PastResult[] {
  const withIdeas = previous.filter((rollout) => rollout.idea !== undefined);
  return createRandom(seed)
    .shuffle(withIdeas)
    .slice(0, count)
    .map((rollout) => ({
      title: rollout.idea?.title ?? '',
      text: rollout.idea?.text ?? '',
      reward: rollout.reward ?? 0,
      executed: rollout.executed === true,
    }));
}

function shown(result: PastResult, index: number): string {
  const text = result.text.length > MAX_SHOWN_CHARS ? `${result.text.slice(0, MAX_SHOWN_CHARS)}…` : result.text;
  const outcome = result.executed ? `reward ${result.reward.toFixed(4)}` : 'failed (reward 0)';
  return `### Earlier idea ${index + 1}: ${result.title} — ${outcome}\n${text}`;
}

/** The prompt a group is sampled with; `context` is rendered into the user message and kept structured. */
export function policyPrompt(base: BasePrompt, context: PastResult[]): PolicyPrompt {
  if (context.length === 0) return { ...base, context };
  const section = [
    '## Ideas tried in the previous round and what they scored',
    'Higher reward is better; a failed idea scores 0. Learn from them, and propose your own idea.',
    '',
    context.map(shown).join('\n\n'),
  ].join('\n');
  return { system: base.system, user: `${base.user}\n\n${section}`, context };
}
