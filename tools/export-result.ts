// export_result: commit a winning experiment (or a search's best) to a new branch of the user's git repository.
import { z } from 'zod';

import { defineTool } from './define-tool.js';
import { allowedFolders } from './allowed-roots.js';

export const exportResult = defineTool({
  name: 'export_result',
  title: 'Export a winner as a git branch',
  description:
    "Creates a new branch in a git repository holding one commit: the experiment's diff on top of the commit its environment was made from, with the idea, the measured metric and seeds, the baseline comparison and the experiment id in the message. A search id exports the search's best experiment if it beat the baseline. Uses git plumbing only: the repository's working tree, index and current branch are untouched, and an existing branch is never moved. The repository must lie under the server's environments.allowedRoots or one of your MCP roots.",
  kind: 'write',
  input: z.object({
    id: z.string().min(1).max(100).describe('experiment id, or search id (its best experiment)'),
    repo: z
      .string()
      .min(1)
      .max(4096)
      .describe('absolute path of the git repository (usually the one the environment was made from)'),
    branch: z.string().min(1).max(200).optional().describe('branch name (default groundwork/<experiment id>)'),
  }),
  output: z.object({
    repo: z.string(),
    branch: z.string(),
    commit: z.string(),
    base: z.string().describe('the parent commit: the code the environment was made from'),
    experiment_id: z.string(),
    files: z.array(z.string()),
    message: z.string(),
  }),
  async handle(context, input) {
    const exported = await context.services.exportResult(
      { id: input.id, repo: input.repo, ...(input.branch ? { branch: input.branch } : {}) },
      { allowedRoots: await allowedFolders(context) },
    );
    return {
      repo: exported.repo,
      branch: exported.branch,
      commit: exported.commit,
      base: exported.base,
      experiment_id: exported.experimentId,
      files: exported.files,
      message: exported.message,
    };
  },
  render(output) {
    return `branch ${output.branch} created in ${output.repo}: commit ${output.commit.slice(0, 12)} on ${output.base.slice(0, 12)} (${output.files.join(', ')}); the working tree and current branch are unchanged.\n\n${output.message}`;
  },
});
