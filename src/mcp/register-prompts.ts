// Prompts: a guided research session, and a review of one experiment with its diff and logs attached.
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { rewardOutput } from '../services/views.js';
import { RESOURCE_PREFIX } from './register-resources.js';
import type { ToolRuntime } from './register-tools.js';

function sessionText(environment: string | undefined, goal: string | undefined, rounds: number): string {
  const target = environment ? `the environment "${environment}"` : 'an environment (pick one with list_environments)';
  return `Run a research session with the groundwork tools on ${target}${goal ? `, aiming at: ${goal}` : ''}.

1. Call list_environments; note the metric, its direction, the baseline and the time limit.
2. Call read_environment to read the editable code. Everything under "frozen" is off limits.
3. Call propose_idea (count 3–5), or write ideas of your own grounded in the code.
4. For each promising idea call implement_idea: with idea_id to let the implementer write the edit, or with idea, environment and your own edit (search/replace blocks whose SEARCH text matches the file exactly). If the status is "failed", read the error, fix the edit and call again.
5. Call run_experiment for each ready implementation (use profile "smoke" first if the environment has one and runs are slow). It returns at once.
6. Call get_reward with wait_seconds 30, again while the status is queued or running. Compare the metric with the baseline: "improved" says whether it is better in the metric's direction; the reward is higher-is-better.
7. Repeat ${rounds} round(s): build on what beat the baseline (propose_idea with parent_ids), learn from failures (their category and log tail), and avoid repeating ideas.
8. Finish with get_leaderboard and a short report: what was tried, what worked, by how much, and what to try next.

For a longer unattended run, use run_search and follow it with get_search; stop it with cancel_search.`;
}

export function registerPrompts(server: McpServer, runtime: ToolRuntime): void {
  const environments = async (value: string | undefined): Promise<string[]> => {
    try {
      const listing = await (await runtime.services()).listEnvironments();
      return listing.environments.map((e) => e.manifest.name).filter((name) => name.startsWith(value ?? ''));
    } catch {
      return [];
    }
  };

  server.registerPrompt(
    'research_session',
    {
      title: 'Research session',
      description:
        'Walks you through a research session: read the code, propose, implement, run, compare with the baseline, iterate',
      argsSchema: {
        // describe() inside: it returns a copy, which would lose the completable mark.
        environment: completable(z.string().optional().describe('environment to work on (optional)'), environments),
        goal: z.string().optional().describe('what to aim for, in words (optional)'),
        rounds: z
          .string()
          .regex(/^\d{1,2}$/, 'a number of rounds, e.g. 3')
          .optional()
          .describe('rounds of ideas (default 3)'),
      },
    },
    ({ environment, goal, rounds }): GetPromptResult => ({
      description: 'A guided research session with the groundwork tools',
      messages: [
        { role: 'user', content: { type: 'text', text: sessionText(environment, goal, Number(rounds ?? 3)) } },
      ],
    }),
  );

  server.registerPrompt(
    'review_experiment',
    {
      title: 'Review an experiment',
      description: 'Explains an experiment’s result or failure from its diff and logs, and suggests the next step',
      argsSchema: { experiment_id: z.string().min(1).describe('id from run_experiment or list_experiments') },
    },
    async ({ experiment_id }): Promise<GetPromptResult> => {
      const services = await runtime.services();
      const experiment = await services.getExperiment(experiment_id);
      const diff = await services.readImplementationDiff(experiment.implementationId);
      const logs = (await services.readExperimentLogs(experiment.id))
        .map((log) => `===== ${log.run} ${log.step} =====\n${log.text.slice(-8000)}`)
        .join('\n');
      return {
        description: `Review of experiment ${experiment.id}`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text: `Review experiment ${experiment.id}. Explain what the change did and why it ${experiment.state === 'succeeded' ? 'scored as it did against the baseline' : `ended as ${experiment.state}`}, then propose the next experiment (implement_idea with your edit).\n\nResult:\n${JSON.stringify(rewardOutput(experiment), null, 2)}`,
            },
          },
          {
            role: 'user',
            content: {
              type: 'resource',
              resource: {
                uri: `${RESOURCE_PREFIX}experiments/${experiment.id}/diff`,
                mimeType: 'text/x-diff',
                text: diff || '(no diff)',
              },
            },
          },
          {
            role: 'user',
            content: {
              type: 'resource',
              resource: {
                uri: `${RESOURCE_PREFIX}experiments/${experiment.id}/log`,
                mimeType: 'text/plain',
                text: logs || '(no logs)',
              },
            },
          },
        ],
      };
    },
  );
}
