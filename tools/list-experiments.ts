// list_experiments: experiments with their state and result, newest first, filtered by state, search or environment.
import { z } from 'zod';

import { ExperimentState } from '../src/domain/states.js';
import { RewardSummaryShape, rewardSummaryOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { num } from './text.js';

export const listExperiments = defineTool({
  name: 'list_experiments',
  title: 'List experiments',
  description:
    'Lists experiments, newest first, with status, metric, reward and failure. Filter by status (e.g. running), search_id or environment. Use it to find ids again or to see what is queued; get_reward gives one experiment in full.',
  kind: 'read',
  input: z.object({
    status: ExperimentState.optional(),
    search_id: z.string().min(1).max(100).optional(),
    environment: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(200).optional().describe('at most this many (default 20)'),
  }),
  output: z.object({
    experiments: z.array(RewardSummaryShape),
    total: z.number().int().describe('how many matched before the limit'),
  }),
  async handle({ services }, input) {
    const all = await services.listExperiments({
      state: input.status,
      searchId: input.search_id,
      environment: input.environment,
    });
    const newest = all.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, input.limit ?? 20);
    return { experiments: newest.map(rewardSummaryOutput), total: all.length };
  },
  summarize({ experiments, total }) {
    const counts = new Map<string, number>();
    for (const e of experiments) counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
    const first = experiments[0];
    if (!first) return { summary: 'No experiments match; run_experiment queues one.' };
    return {
      summary: `${total} experiment(s) match, showing ${experiments.length} (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}); newest ${first.experiment_id} is ${first.status}. get_reward gives one in full.`,
      next: { tool: 'get_reward', arguments: { experiment_id: first.experiment_id } },
    };
  },
  render({ experiments, total }) {
    if (experiments.length === 0) return 'no experiments match';
    const lines = experiments.map((e) => {
      const result = e.metric
        ? `${e.metric.name} ${num(e.metric.value)}, reward ${num(e.reward, 6)}`
        : e.failure
          ? `${e.failure.category}: ${e.failure.message}`
          : '';
      return `${e.experiment_id} ${e.status} ${e.environment}${result ? `: ${result}` : ''}`;
    });
    if (total > experiments.length) lines.push(`(${total - experiments.length} more; raise limit or filter)`);
    return lines.join('\n');
  },
});
