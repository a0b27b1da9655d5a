// The implementer's prompt: the rules, the editable code with line numbers, the idea, and how to write the edit.
import type { Idea } from '../../domain/records.js';
import type { Manifest } from '../../environments/manifest.js';
import { LISTING_NOTE, numberedListing } from '../../prompts/code-listing.js';
import { environmentRules } from '../../prompts/environment-rules.js';
import type { Prompt } from '../../prompts/types.js';

export const IMPLEMENTER_SYSTEM =
  'You implement research ideas as edits to a Python training codebase. You change exactly what the idea needs, ' +
  'keep the code runnable, and answer with the edit only.';

export const EDIT_FORMAT = [
  '## How to write the edit',
  'Write every change as a SEARCH/REPLACE block: the file path alone on one line, then',
  '',
  '<<<<<<< SEARCH',
  'lines copied exactly from the current file (without the line numbers)',
  '=======',
  'the lines that replace them',
  '>>>>>>> REPLACE',
  '',
  '- The SEARCH lines must occur exactly once in the file, indentation and blank lines included; quote a few unchanged neighbouring lines when needed to make them unique.',
  '- Use as many blocks as you need, in file order, and never let two blocks overlap.',
  '- To create a new file, give its path and a block with an empty SEARCH section.',
  '- A unified diff (--- a/path, +++ b/path, @@ hunks) is accepted too.',
].join('\n');

export interface ImplementInput {
  manifest: Manifest;
  files: Record<string, string>;
  idea: Pick<Idea, 'title' | 'text'>;
}

export function implementPrompt(input: ImplementInput): Prompt {
  const sections = [
    environmentRules(input.manifest, Object.keys(input.files)),
    ['## The code', LISTING_NOTE, '', numberedListing(input.files)].join('\n'),
    `## The idea to implement\n${input.idea.title}\n\n${input.idea.text}`,
    EDIT_FORMAT,
    [
      '## Requirements',
      '- Implement the idea completely and exactly, with every value it gives; where it leaves a detail open, choose a sensible value.',
      '- Change only the editable files, and import only what is installed.',
      '- Keep the command line, environment variables and output files of the program as they are: the frozen harness relies on them.',
      '- Make sure the edited code runs: imports, names, tensor shapes and devices must all line up.',
      'Answer with the edit only, no explanation.',
    ].join('\n'),
  ];
  return { system: IMPLEMENTER_SYSTEM, user: sections.join('\n\n') };
}
