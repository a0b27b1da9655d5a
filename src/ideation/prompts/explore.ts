// Explore ideation: new directions, given a sample of everything tried so far and what became of it.
import { metricPhrase } from '../../prompts/environment-rules.js';
import type { Prompt } from '../../prompts/types.js';
import type { IdeaOutcome } from '../ideator.js';
import { ideaFormat } from './idea-format.js';
import { closingSections, contextSection, GOOD_IDEAS, type IdeationInput, IDEATOR_SYSTEM } from './ideation-common.js';
import { failureSummary, pastIdeasList } from './past-ideas.js';

export interface ExploreInput extends IdeationInput {
  /** A sample of the ideas tried so far, each with its result or why it failed. */
  tried: readonly IdeaOutcome[];
  /** How many ideas were tried in all (the sample may be smaller). */
  triedTotal: number;
  /** Every idea that failed so far (not only the sample), summarised by failure category; default: those in `tried`. */
  failures?: readonly IdeaOutcome[];
}

function failuresSection(ideas: readonly IdeaOutcome[]): string[] {
  const summary = failureSummary(ideas);
  return summary ? [`## Why ideas failed so far, by category (avoid these causes)\n${summary}`] : [];
}

export function explorePrompt(input: ExploreInput): Prompt {
  const sampled =
    input.tried.length < input.triedTotal
      ? `a random sample of ${input.tried.length} of the ${input.triedTotal} tried so far`
      : `all ${input.triedTotal} tried so far`;
  const sections = [
    contextSection(input),
    ...(input.tried.length > 0
      ? [`## Ideas already tried (${sampled}), with their results\n${pastIdeasList(input.tried, input.manifest)}`]
      : []),
    ...failuresSection(input.failures ?? input.tried),
    [
      '## Your task',
      `Propose ${input.count} new idea${input.count === 1 ? '' : 's'} for ${metricPhrase(input.manifest)}, clearly different from every idea above.`,
      '- Learn from the results: avoid directions that repeatedly made things worse, and avoid what made runs fail (crashes, timeouts, memory, missing packages).',
      '- New directions unrelated to the earlier ideas are welcome; ideas that are not yet well established are more interesting than known tricks.',
      GOOD_IDEAS,
    ].join('\n'),
    ...closingSections(input),
    ideaFormat(),
  ];
  return { system: IDEATOR_SYSTEM, user: sections.join('\n\n') };
}
