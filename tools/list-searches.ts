// list_searches: searches, newest first, with their state.
import { z } from 'zod';

import { SearchState } from '../src/domain/states.js';
import { ScheduleShape, scheduleOutput, SearchShape, searchOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { searchText } from './text.js';

export const listSearches = defineTool({
  name: 'list_searches',
  title: 'List searches',
  description:
    'Lists searches, newest first, with their status, strategy and size, and the recurring schedules that start them. get_search gives one with its leaderboard.',
  kind: 'read',
  input: z.object({
    status: SearchState.optional(),
    environment: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(200).optional().describe('at most this many (default 20)'),
  }),
  output: z.object({ searches: z.array(SearchShape), total: z.number().int(), schedules: z.array(ScheduleShape) }),
  async handle({ services }, input) {
    const all = (await services.listSearches()).filter(
      (search) =>
        (input.status === undefined || search.state === input.status) &&
        (input.environment === undefined || search.environment === input.environment),
    );
    const newest = all.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, input.limit ?? 20);
    const schedules = (await services.listSchedules()).filter(
      (schedule) => input.environment === undefined || schedule.environment === input.environment,
    );
    return { searches: newest.map(searchOutput), total: all.length, schedules: schedules.map(scheduleOutput) };
  },
  summarize({ searches, total, schedules }) {
    const first = searches[0];
    const active = schedules.filter((s) => s.status === 'active').length;
    if (!first) return { summary: `No searches match; ${active} active schedule(s). run_search starts one.` };
    return {
      summary: `${total} search(es) match, showing ${searches.length}; newest ${first.search_id} (${first.strategy} on ${first.environment}) is ${first.status}; ${active} active schedule(s). get_search gives one with its leaderboard.`,
      next: { tool: 'get_search', arguments: { search_id: first.search_id } },
    };
  },
  render({ searches, total, schedules }) {
    const lines = searches.length === 0 ? ['no searches match'] : searches.map(searchText);
    for (const schedule of schedules) {
      lines.push(
        `schedule ${schedule.schedule_id} "${schedule.schedule}" ${schedule.status}: ${schedule.strategy} on ${schedule.environment}, ${schedule.search_ids.length} searches started`,
      );
    }
    if (total > searches.length) lines.push(`(${total - searches.length} more; raise limit or filter)`);
    return lines.join('\n');
  },
});
