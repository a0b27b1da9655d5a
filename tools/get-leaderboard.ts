// get_leaderboard: experiments of a search or an environment ranked by reward, with the baseline for comparison.
import { z } from 'zod';

import { LeaderboardRowShape, leaderboardOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { leaderboardText, num, signed } from './text.js';

export const getLeaderboard = defineTool({
  name: 'get_leaderboard',
  title: 'Get a leaderboard',
  description:
    'Ranks experiments by reward (best first, failures last) for one search or one environment, with each metric and its delta from the baseline. Use it to pick parents for propose_idea (parent_ids) or to report results.',
  kind: 'read',
  input: z.object({
    search_id: z.string().min(1).max(100).optional(),
    environment: z.string().min(1).max(100).optional(),
    top: z.number().int().min(1).max(200).optional().describe('rows to return (default 20)'),
  }),
  output: z.object({ rows: z.array(LeaderboardRowShape), total: z.number().int() }),
  async handle({ services }, input) {
    if (input.search_id !== undefined) await services.getSearch(input.search_id);
    if (input.environment !== undefined) await services.getEnvironment(input.environment);
    const rows = await services.leaderboard({ searchId: input.search_id, environment: input.environment });
    return { rows: rows.slice(0, input.top ?? 20).map(leaderboardOutput), total: rows.length };
  },
  summarize({ rows, total }) {
    const best = rows.find((row) => row.metric !== undefined);
    if (!best) return { summary: `${total} experiment(s) ranked, none with a result yet.` };
    return {
      summary: `${total} experiment(s) ranked; best ${best.experiment_id} "${best.title}" with metric ${num(best.metric)}, reward ${num(best.reward, 6)}${best.delta !== undefined ? `, delta ${signed(best.delta)} from the baseline` : ''}. Build on it with propose_idea (parent_ids).`,
      next: { tool: 'get_reward', arguments: { experiment_id: best.experiment_id } },
    };
  },
  render({ rows, total }) {
    return `${leaderboardText(rows)}${total > rows.length ? `\n(${total - rows.length} more)` : ''}`;
  },
});
