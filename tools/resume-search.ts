// resume_search: carry on with a search that was paused (its process stopped) from where the store left it.
import { z } from 'zod';

import { SearchShape, searchOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { searchGuide } from './guides.js';
import { searchText } from './text.js';

export const resumeSearch = defineTool({
  name: 'resume_search',
  title: 'Resume a search',
  description:
    'Carries on with a paused search (its process stopped: Ctrl-C, a restart, a crash) from the store: finished experiments are kept, unfinished ones followed, ideas not yet run are run, and no candidate runs twice. A daemon resumes its searches by itself when it starts; an ended search cannot be resumed.',
  kind: 'write',
  input: z.object({ search_id: z.string().min(1).max(100).describe('id from run_search or list_searches') }),
  output: SearchShape,
  async handle({ services, log }, input) {
    const search = await services.resumeSearch(input.search_id);
    log.info(`search ${search.id} resumed`);
    return searchOutput(search);
  },
  render: searchText,
  summarize: (output) => searchGuide(output),
});
