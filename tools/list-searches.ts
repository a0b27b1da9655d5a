// list_searches: searches, newest first, with their state.
import { z } from 'zod';

import { defineTool } from './define-tool.js';
import { SearchShape, SearchStatus, searchOutput } from './shapes.js';
import { searchText } from './text.js';

export const listSearches = defineTool({
  name: 'list_searches',
  title: 'List searches',
  description:
    'Lists searches, newest first, with their status, strategy and size. get_search gives one with its leaderboard.',
  kind: 'read',
  input: z.object({
    status: SearchStatus.optional(),
    environment: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(200).optional().describe('at most this many (default 20)'),
  }),
  output: z.object({ searches: z.array(SearchShape), total: z.number().int() }),
  async handle({ services }, input) {
    const all = (await services.listSearches()).filter(
      (search) =>
        (input.status === undefined || search.state === input.status) &&
        (input.environment === undefined || search.environment === input.environment),
    );
    const newest = all.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, input.limit ?? 20);
    return { searches: newest.map(searchOutput), total: all.length };
  },
  render({ searches, total }) {
    if (searches.length === 0) return 'no searches match';
    const lines = searches.map(searchText);
    if (total > searches.length) lines.push(`(${total - searches.length} more; raise limit or filter)`);
    return lines.join('\n');
  },
});
