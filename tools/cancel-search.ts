// cancel_search: stop a running search; its queued and running experiments are cancelled.
import { z } from 'zod';

import { SearchShape, searchOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { searchGuide } from './guides.js';
import { searchText } from './text.js';

export const cancelSearch = defineTool({
  name: 'cancel_search',
  title: 'Cancel a search',
  description:
    'Stops a running search: no new ideas are proposed and its queued or running experiments are cancelled. Finished experiments and their rewards stay. A search that has already ended is returned unchanged.',
  kind: 'cancel',
  input: z.object({ search_id: z.string().min(1).max(100).describe('id from run_search or list_searches') }),
  output: SearchShape,
  async handle({ services, log }, input) {
    const search = await services.cancelSearch(input.search_id);
    log.info(`search ${search.id} is ${search.state}`);
    return searchOutput(search);
  },
  render: searchText,
  summarize: (output) => searchGuide(output),
});
