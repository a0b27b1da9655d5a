// get_search: a search's state and leaderboard; optionally waits a bounded time for it to end.
import { z } from 'zod';

import type { Search } from '../src/domain/records.js';
import { defineTool } from './define-tool.js';
import { MAX_WAIT_SECONDS } from './get-reward.js';
import { LeaderboardRowShape, SearchShape, leaderboardOutput, searchOutput } from './shapes.js';
import { leaderboardText, searchText } from './text.js';

const HEARTBEAT_MS = 5_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    if (signal.aborted) done();
  });
}

export const getSearch = defineTool({
  name: 'get_search',
  title: 'Get a search’s progress',
  description: `Returns a search's status, epoch and leaderboard (its experiments ranked by reward, failures last). With wait_seconds (at most ${MAX_WAIT_SECONDS}) it waits for the search to end, sending progress notifications if you asked for them.`,
  kind: 'read',
  input: z.object({
    search_id: z.string().min(1).max(100).describe('id from run_search or list_searches'),
    wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).optional(),
    top: z.number().int().min(1).max(100).optional().describe('leaderboard rows to return (default 10)'),
  }),
  output: SearchShape.extend({
    leaderboard: z.array(LeaderboardRowShape),
    cost: z
      .object({ usd: z.number(), calls: z.number(), input_tokens: z.number(), output_tokens: z.number() })
      .describe('model calls made for this search (the offline provider makes none)'),
  }),
  async handle({ services, signal, progress }, input) {
    let search = await services.getSearch(input.search_id);
    const waitSeconds = input.wait_seconds ?? 0;
    if (waitSeconds > 0 && search.state === 'running') {
      const started = Date.now();
      let step = 0;
      const report = (): void => {
        step += 1;
        void progress(
          step,
          undefined,
          `search ${search.id} running for ${Math.round((Date.now() - started) / 1000)} s`,
        );
      };
      const heartbeat = setInterval(report, HEARTBEAT_MS);
      report();
      try {
        await Promise.race([
          services.waitForSearch(search.id).catch((): Search | undefined => undefined),
          sleep(waitSeconds * 1000, signal),
        ]);
      } finally {
        clearInterval(heartbeat);
      }
      search = await services.getSearch(search.id);
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
  render(output) {
    const { cost } = output;
    const spent = `model calls: ${cost.calls}, $${cost.usd.toFixed(4)} (${cost.input_tokens} tokens in, ${cost.output_tokens} out)`;
    return `${searchText(output)}\n${spent}\n${leaderboardText(output.leaderboard)}`;
  },
});
