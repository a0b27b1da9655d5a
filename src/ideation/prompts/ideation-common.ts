// Parts every ideation prompt shares: the role, the rules and code, ideas to avoid, the caller's guidance.
import type { Manifest } from '../../environments/manifest.js';
import { LISTING_NOTE, numberedListing } from '../../prompts/code-listing.js';
import { environmentRules } from '../../prompts/environment-rules.js';

/** What every ideation prompt takes: plain data in, text out. */
export interface IdeationInput {
  manifest: Manifest;
  /** Editable files by path; shown with line numbers. */
  files: Record<string, string>;
  count: number;
  guidance?: string;
  /** Ideas already proposed in this round, to avoid repeating them. */
  avoid: readonly string[];
}

export const IDEATOR_SYSTEM =
  'You are a machine-learning research scientist. You propose concrete experiments on a training codebase. ' +
  'Each experiment is implemented by someone else as a code change and run once under fixed rules; the measured ' +
  'metric is the only verdict. You write precise, self-contained proposals and follow the requested format exactly.';

/** The rules and the code, for the top of an ideation prompt. */
export function contextSection(input: IdeationInput): string {
  return [
    environmentRules(input.manifest, Object.keys(input.files)),
    '',
    '## The code you can change',
    LISTING_NOTE,
    '',
    numberedListing(input.files),
  ].join('\n');
}

/** Guidance from the caller and ideas proposed moments ago, when there are any. */
export function closingSections(input: IdeationInput): string[] {
  const sections: string[] = [];
  if (input.guidance?.trim()) sections.push(`## Guidance from the researcher\n${input.guidance.trim()}`);
  if (input.avoid.length > 0)
    sections.push(
      `## Already proposed (do not repeat these or propose close variants)\n${input.avoid.map((title) => `- ${title}`).join('\n')}`,
    );
  return sections;
}

export const GOOD_IDEAS = [
  'Good ideas:',
  '- change how the model learns (architecture, optimiser, schedule, loss, regularisation, data order) for a reason you can state, rather than only retuning constants;',
  '- are small enough to implement as one self-contained edit to the files above, and fit the time limit and the installed packages;',
  '- say exactly what to do, with concrete values, so two people would implement them the same way.',
].join('\n');
