// implement_idea: turn an idea into a checked edit, written by the configured implementer or given by the caller.
import { z } from 'zod';

import { EditText } from '../src/domain/limits.js';
import { implementationDiffUri } from '../src/domain/resource-uris.js';
import { EditFailureCategory } from '../src/domain/states.js';
import { defineTool } from './define-tool.js';
import { implementationLinks } from './guides.js';

/** The diff inlined in a result; the whole diff is a resource (a resource_link in the result). */
const MAX_DIFF_CHARS = 8_000;

export const implementIdea = defineTool({
  name: 'implement_idea',
  title: 'Implement an idea as a code edit',
  description: `Turns an idea into an edit of the environment's editable files, applies it to a fresh copy and checks it (frozen files, paths outside the tree, edits that do not apply, Python syntax). Give idea_id (from propose_idea), or idea (your own text) together with environment. Without edit, the configured implementer writes the edit (with revisions). With edit, your edit is applied and checked exactly like an implementer's; formats: unified diff, search/replace blocks (path line, then <<<<<<< SEARCH / ======= / >>>>>>> REPLACE), apply_patch envelopes, or a whole file. Returns status "ready" with the canonical diff and an implementation_id for run_experiment, or status "failed" with the reason: fix the edit and call again.`,
  kind: 'generate',
  input: z.object({
    idea_id: z.string().min(1).max(100).optional().describe('id of a stored idea (from propose_idea)'),
    idea: z.string().min(1).max(20_000).optional().describe('your own idea text; needs environment'),
    title: z.string().max(200).optional().describe('short title for your own idea'),
    environment: z.string().min(1).max(100).optional().describe('environment for your own idea'),
    edit: EditText.optional().describe('your own edit of the editable files; omit to let the implementer write it'),
  }),
  output: z.object({
    implementation_id: z.string(),
    idea_id: z.string(),
    environment: z.string(),
    status: z.enum(['ready', 'failed']),
    implementer: z.string().describe('"client" when the edit was yours'),
    diff: z
      .string()
      .optional()
      .describe(`canonical unified diff of the change (its first ${MAX_DIFF_CHARS} characters; diff_uri has it all)`),
    diff_uri: z.string().optional().describe('resource with the whole diff (resources/read)'),
    files_changed: z.array(z.string()).optional(),
    error: z.object({ category: EditFailureCategory, message: z.string() }).optional(),
    attempts: z.number().int().describe('edits tried (the implementer revises refused edits)'),
  }),
  async handle({ services, signal, log }, input) {
    // The service refuses both idea_id and idea, or neither.
    const implementation = await services.implementIdea(
      {
        ideaId: input.idea_id,
        idea: input.idea !== undefined ? { text: input.idea, title: input.title } : undefined,
        environment: input.environment,
        edit: input.edit,
      },
      signal,
    );
    let diff: string | undefined;
    if (implementation.status === 'ready') {
      diff = await services.readImplementationDiff(implementation.id);
      if (diff.length > MAX_DIFF_CHARS) {
        diff = `${diff.slice(0, MAX_DIFF_CHARS)}\n… (diff truncated: ${implementationDiffUri(implementation.id)} has it all)`;
      }
    }
    log.info(`implementation ${implementation.id}: ${implementation.status}`);
    return {
      implementation_id: implementation.id,
      idea_id: implementation.ideaId,
      environment: implementation.environment,
      status: implementation.status,
      implementer: implementation.implementer,
      ...(diff !== undefined
        ? { diff, diff_uri: implementationDiffUri(implementation.id), files_changed: implementation.filesChanged }
        : {}),
      ...(implementation.error ? { error: implementation.error } : {}),
      attempts: implementation.attempts.length,
    };
  },
  summarize(output) {
    if (output.status === 'failed') {
      return {
        summary: `Implementation ${output.implementation_id} failed after ${output.attempts} attempt(s): ${output.error?.category}: ${output.error?.message.slice(0, 400)}. Fix the edit and call implement_idea again.`,
        next: { tool: 'implement_idea', arguments: { idea_id: output.idea_id } },
      };
    }
    return {
      summary: `Implementation ${output.implementation_id} is ready (changed ${output.files_changed?.join(', ')}). Run it with run_experiment.`,
      next: { tool: 'run_experiment', arguments: { implementation_id: output.implementation_id } },
    };
  },
  links: (output) => (output.status === 'ready' ? implementationLinks(output.implementation_id) : []),
  render(output) {
    if (output.status === 'failed') {
      return `implementation ${output.implementation_id} failed after ${output.attempts} attempt(s): ${output.error?.category}: ${output.error?.message}\nFix the edit and call implement_idea again (idea_id ${output.idea_id}).`;
    }
    return `implementation ${output.implementation_id} is ready (changed ${output.files_changed?.join(', ')}).\nNext: run_experiment { implementation_id: "${output.implementation_id}" }.\n\n${output.diff ?? ''}`;
  },
});
