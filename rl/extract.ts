// Read the one idea a rollout proposes out of the policy's answer; only that idea goes on to the implementer.
import { ideaText, parseIdeas, whyNoIdeas } from '../src/ideation/parse-ideas.js';
import { approxTokens } from './tokens.js';

export type Extracted =
  { idea: { title: string; text: string; tokens: number } } | { idea?: undefined; reason: string };

/** The first complete idea of the answer (as the paper does: one rollout, one idea), or why there is none. */
export function extractIdea(answer: string): Extracted {
  const parsed = parseIdeas(answer);
  const first = parsed.ideas[0];
  if (!first) return { reason: whyNoIdeas(answer, parsed) };
  const text = ideaText(first);
  return { idea: { title: first.title, text, tokens: approxTokens(text) } };
}

/** Split a completion into its `<think>` part and the answer after it. */
export function splitThinking(completion: string): { thinking: string; answer: string } {
  const trimmed = completion.trimStart();
  if (!trimmed.startsWith('<think>')) return { thinking: '', answer: completion };
  const end = trimmed.indexOf('</think>');
  if (end === -1) return { thinking: trimmed.slice('<think>'.length), answer: '' };
  return { thinking: trimmed.slice('<think>'.length, end), answer: trimmed.slice(end + '</think>'.length).trimStart() };
}
