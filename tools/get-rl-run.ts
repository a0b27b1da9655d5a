// get_rl_run: follow an RL run on the ideator (groundwork rl): its state and per-epoch collapse metrics; or list runs.
import { z } from 'zod';

import type { RlEpoch, RlRun } from '../src/domain/rl-records.js';
import { defineTool } from './define-tool.js';

const RunShape = z.object({
  run_id: z.string(),
  state: z.string().describe('running, succeeded, failed or stopped (resume it with "groundwork rl resume")'),
  environment: z.string(),
  epoch: z.number().int().describe('epochs finished'),
  epochs_planned: z.number().int(),
  policy_version: z.number().int(),
  model: z.string().describe('the model name the policy endpoint serves now'),
  mitigations: z.array(z.string()),
  error: z.string().optional(),
});

const EpochShape = z.object({
  epoch: z.number().int(),
  mean_reward: z.number(),
  max_reward: z.number(),
  execution_rate: z.number(),
  duplicate_share: z.number().describe('share of ideas that nearly duplicate an earlier idea of the same epoch'),
  distinct_ideas: z.number().int(),
  mean_jaccard: z.number().describe('mean pairwise token Jaccard similarity of the ideas'),
  thinking_tokens: z.number(),
  idea_tokens: z.number(),
  top_idea_share: z.number(),
  top_idea: z.string().optional(),
});

const runOutput = (run: RlRun): z.output<typeof RunShape> => ({
  run_id: run.id,
  state: run.state,
  environment: run.environment,
  epoch: run.epoch,
  epochs_planned: run.options.epochs,
  policy_version: run.policyVersion,
  model: run.model,
  mitigations: run.options.mitigations,
  ...(run.error ? { error: run.error } : {}),
});

const epochOutput = ({ epoch, metrics: m }: RlEpoch): z.output<typeof EpochShape>[] =>
  m
    ? [
        {
          epoch,
          mean_reward: m.meanReward,
          max_reward: m.maxReward,
          execution_rate: m.executionRate,
          duplicate_share: m.duplicateShare,
          distinct_ideas: m.distinctIdeas,
          mean_jaccard: m.meanJaccard,
          thinking_tokens: m.thinkingTokens,
          idea_tokens: m.ideaTokens,
          top_idea_share: m.topIdeaShare,
          ...(m.topIdea ? { top_idea: m.topIdea } : {}),
        },
      ]
    : [];

const f = (value: number, digits = 4): string => value.toFixed(digits);

export const getRlRun = defineTool({
  name: 'get_rl_run',
  title: 'Follow an RL run',
  description:
    'Returns an RL run on the ideator (started with "groundwork rl start") with one row of metrics per finished epoch: mean and max reward, execution rate, share of near-duplicate ideas, distinct ideas, mean pairwise Jaccard similarity, thinking and idea length, and the most common idea. Rising mean reward with flat max reward and rising duplicates is the mode collapse the paper reports. Without run_id it lists the runs.',
  kind: 'read',
  input: z.object({
    run_id: z.string().min(1).max(100).optional().describe('id from "groundwork rl list"; omit to list runs'),
    last: z.number().int().min(1).max(1000).optional().describe('only the last N epochs (default all)'),
  }),
  output: z.object({ runs: z.array(RunShape), epochs: z.array(EpochShape) }),
  async handle({ services }, input) {
    if (input.run_id === undefined) return { runs: (await services.listRlRuns()).map(runOutput), epochs: [] };
    const { run, epochs } = await services.getRlRun(input.run_id);
    return { runs: [runOutput(run)], epochs: epochs.flatMap(epochOutput).slice(-(input.last ?? 1000)) };
  },
  render({ runs, epochs }) {
    if (runs.length === 0) return 'no RL runs yet; start one with "groundwork rl start"';
    const lines = runs.map(
      (r) =>
        `${r.run_id} (${r.environment}): ${r.state}, ${r.epoch}/${r.epochs_planned} epochs, policy v${r.policy_version} (${r.model})` +
        (r.mitigations.length > 0 ? `, mitigations ${r.mitigations.join(', ')}` : '') +
        (r.error ? `; ${r.error}` : ''),
    );
    for (const e of epochs) {
      lines.push(
        `epoch ${e.epoch}: mean ${f(e.mean_reward)} max ${f(e.max_reward)} exec ${f(e.execution_rate, 2)} dup ${f(e.duplicate_share, 2)} distinct ${e.distinct_ideas} jaccard ${f(e.mean_jaccard, 3)} thinking ${Math.round(e.thinking_tokens)}`,
      );
    }
    return lines.join('\n');
  },
});
