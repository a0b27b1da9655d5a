// cancel_schedule: stop a recurring search from starting new runs.
import { z } from 'zod';

import { ScheduleShape, scheduleOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';

export const cancelSchedule = defineTool({
  name: 'cancel_schedule',
  title: 'Cancel a schedule',
  description:
    'Stops a recurring search (made by run_search with schedule) from starting new searches. A search it already started keeps running; stop that with cancel_search. Cancelling twice is harmless.',
  kind: 'cancel',
  input: z.object({ schedule_id: z.string().min(1).max(100).describe('id from run_search or list_searches') }),
  output: ScheduleShape,
  async handle({ services, log }, input) {
    const schedule = await services.cancelSchedule(input.schedule_id);
    log.info(`schedule ${schedule.id} is ${schedule.state}`);
    return scheduleOutput(schedule);
  },
  summarize: (output) => ({
    summary: `Schedule ${output.schedule_id} ("${output.schedule}") is ${output.status}; it started ${output.search_ids.length} search(es), which keep running until they end or cancel_search stops them.`,
  }),
  render: (output) =>
    `schedule ${output.schedule_id} "${output.schedule}" is ${output.status}; it started ${output.search_ids.length} searches`,
});
