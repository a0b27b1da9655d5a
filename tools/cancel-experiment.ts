// cancel_experiment: stop a queued or running experiment; its runs are killed and it ends as cancelled.
import { z } from 'zod';

import { RewardShape, rewardOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { rewardGuide } from './guides.js';
import { rewardText } from './text.js';

export const cancelExperiment = defineTool({
  name: 'cancel_experiment',
  title: 'Cancel an experiment',
  description:
    'Stops a queued or running experiment (its processes are killed) and returns it as it ended. An experiment that has already ended is returned unchanged.',
  kind: 'cancel',
  input: z.object({ experiment_id: z.string().min(1).max(100).describe('id from run_experiment') }),
  output: RewardShape,
  async handle({ services, log }, input) {
    const experiment = await services.cancelExperiment(input.experiment_id);
    log.info(`experiment ${experiment.id} is ${experiment.state}`);
    return rewardOutput(experiment);
  },
  render: rewardText,
  summarize: rewardGuide,
});
