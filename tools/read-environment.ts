// read_environment: the file list of an environment and the text of the files an edit would change.
import { z } from 'zod';

import { ResearchError } from '../src/domain/errors.js';
import { defineTool } from './define-tool.js';

/** Keeps one result within what a client passes to its model comfortably. */
const MAX_TOTAL_CHARS = 300_000;

export const readEnvironment = defineTool({
  name: 'read_environment',
  title: 'Read an environment’s code',
  description:
    'Returns the files of an environment (path, size, editable or frozen) and the contents of the files you ask for, by default every editable file. Read the code before proposing ideas or writing your own edit for implement_idea: edits must match this text exactly and may touch only editable files.',
  kind: 'read',
  input: z.object({
    environment: z.string().min(1).max(100).describe('environment name from list_environments'),
    paths: z
      .array(z.string().min(1).max(500))
      .max(50)
      .optional()
      .describe('relative paths to read; default: all editable files'),
  }),
  output: z.object({
    environment: z.string(),
    files: z.array(
      z.object({
        path: z.string(),
        size: z.number().int(),
        editable: z.boolean(),
        frozen: z.boolean(),
        sealed: z.boolean().optional().describe('held-out data: it exists, but is never served'),
      }),
    ),
    contents: z.array(z.object({ path: z.string(), content: z.string() })),
    skipped: z.array(z.object({ path: z.string(), reason: z.string() })).describe('requested files left out, and why'),
  }),
  async handle({ services }, input) {
    const files = await services.listEnvironmentFiles(input.environment);
    const wanted = input.paths ?? files.filter((file) => file.editable).map((file) => file.path);
    const contents: { path: string; content: string }[] = [];
    const skipped: { path: string; reason: string }[] = [];
    let total = 0;
    for (const path of wanted) {
      try {
        const content = await services.readEnvironmentFile(input.environment, path);
        if (total + content.length > MAX_TOTAL_CHARS) {
          skipped.push({ path, reason: `over the ${MAX_TOTAL_CHARS}-character limit of one call; ask for it alone` });
          continue;
        }
        total += content.length;
        contents.push({ path, content });
      } catch (error) {
        if (!ResearchError.is(error) || (error.code !== 'not_found' && error.code !== 'bad_input')) throw error;
        skipped.push({ path, reason: error.message });
      }
    }
    return { environment: input.environment, files, contents, skipped };
  },
  summarize: ({ environment, files, contents, skipped }) => ({
    summary: `${environment} has ${files.length} file(s) (${files.filter((f) => f.editable).length} editable); returned the text of ${contents.map((c) => c.path).join(', ') || 'none'}${skipped.length > 0 ? `; ${skipped.length} not read (see skipped)` : ''}. Next: propose_idea, or implement_idea with your own idea and edit of these files.`,
    next: { tool: 'propose_idea', arguments: { environment } },
  }),
  render({ environment, files, contents, skipped }) {
    const list = files.map(
      (file) =>
        `  ${file.path} (${file.size} bytes${file.sealed ? ', sealed: held-out data, not served' : file.editable ? ', editable' : file.frozen ? ', frozen' : ''})`,
    );
    const bodies = contents.map(({ path, content }) => `===== ${path} =====\n${content}`);
    const notes = skipped.map(({ path, reason }) => `not read: ${path}: ${reason}`);
    return [`files of ${environment}:`, ...list, '', ...bodies, ...notes].join('\n');
  },
});
