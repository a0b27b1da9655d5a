// get_search: a search's state and leaderboard; optionally waits a bounded time for it to end.
import { z } from 'zod';

import { MAX_WAIT_SECONDS, WaitSeconds } from '../src/domain/limits.js';
import { isActive } from '../src/domain/states.js';
import { LeaderboardRowShape, SearchShape, leaderboardOutput, searchOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { searchGuide, searchLinks } from './guides.js';
import { leaderboardText, num, searchText } from './text.js';
import { waitWithProgress } from './wait-with-progress.js';

export const getSearch = defineTool({
  name: 'get_search',
  title: 'Get a search’s progress',
  description: `Returns a search's status, epoch and leaderboard (its experiments ranked by reward, failures last). With wait_seconds (at most ${MAX_WAIT_SECONDS}) it waits for the search to end, sending progress notifications if you asked for them.`,
  kind: 'read',
  input: z.object({
    search_id: z.string().min(1).max(100).describe('id from run_search or list_searches'),
    wait_seconds: WaitSeconds.optional(),
    top: z.number().int().min(1).max(100).optional().describe('leaderboard rows to return (default 10)'),
  }),
  output: SearchShape.extend({
    leaderboard: z.array(LeaderboardRowShape),
    cost: z
      .object({ usd: z.number(), calls: z.number(), input_tokens: z.number(), output_tokens: z.number() })
      .describe('model calls made for this search (the offline provider makes none)'),
  }),
  async handle(context, input) {
    const { services } = context;
    let search = await services.getSearch(input.search_id);
    const seconds = input.wait_seconds ?? 0;
    if (seconds > 0 && isActive(search)) {
      const id = search.id;
      const ended = services.waitForSearch(id).catch(() => undefined);
      await waitWithProgress(context, ended, {
        seconds,
        describe: (elapsed) => `search ${id} running for ${Math.round(elapsed)} s`,
      });
      search = await services.getSearch(id);
    }
    const rows = await services.leaderboard({ searchId: search.id });
    const { total } = await services.llmCosts({ searchId: search.id });
    return {
      ...searchOutput(search),
      leaderboard: rows.slice(0, input.top ?? 10).map(leaderboardOutput),
      cost: {
        usd: total.costUsd,
        calls: total.calls,
        input_tokens: total.inputTokens,
        output_tokens: total.outputTokens,
      },
    };
  },
  summarize(output) {
    const best = output.leaderboard.find((row) => row.metric !== undefined);
    const bestText = best
      ? `; best so far ${best.experiment_id} with metric ${num(best.metric)}${best.delta !== undefined ? ` (delta ${num(best.delta)})` : ''}`
      : '';
    return searchGuide(output, `${bestText}; model calls cost $${output.cost.usd.toFixed(4)}`);
  },
  links: (output) => searchLinks(output.search_id),
  render(output) {
    const { cost } = output;
    const spent = `model calls: ${cost.calls}, $${cost.usd.toFixed(4)} (${cost.input_tokens} tokens in, ${cost.output_tokens} out)`;
    return `${searchText(output)}\n${spent}\n${leaderboardText(output.leaderboard)}`;
  },
});
