// Epoch-0 ideation: propose ideas from the code and the rules alone.
import { metricPhrase } from '../../prompts/environment-rules.js';
import type { Prompt } from '../../prompts/types.js';
import { ideaFormat } from './idea-format.js';
import { closingSections, contextSection, GOOD_IDEAS, type IdeationInput, IDEATOR_SYSTEM } from './ideation-common.js';

export function seedPrompt(input: IdeationInput): Prompt {
  const sections = [
    contextSection(input),
    [
      '## Your task',
      `Propose ${input.count} distinct research idea${input.count === 1 ? '' : 's'} that could improve ${metricPhrase(input.manifest)} under the rules above.`,
      GOOD_IDEAS,
    ].join('\n'),
    ...closingSections(input),
    ideaFormat(),
  ];
  return { system: IDEATOR_SYSTEM, user: sections.join('\n\n') };
}
