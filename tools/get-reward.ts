// get_reward: an experiment's state, and once it has ended its reward or failure; optionally waits a bounded time.
import { z } from 'zod';

import { MAX_WAIT_SECONDS, WaitSeconds } from '../src/domain/limits.js';
import type { Experiment } from '../src/domain/records.js';
import { isEnded } from '../src/domain/states.js';
import { RewardShape, rewardOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { experimentLinks, rewardGuide } from './guides.js';
import { rewardText } from './text.js';
import { waitWithProgress } from './wait-with-progress.js';

function describe(experiment: Experiment): string {
  const done = experiment.runs.filter(isEnded).length;
  return `experiment ${experiment.id} ${experiment.state}: ${done}/${experiment.runs.length} seed run(s) finished`;
}

export const getReward = defineTool({
  name: 'get_reward',
  title: 'Get an experiment’s reward',
  description: `Returns an experiment's status and, once it has ended, the measured metric, the reward (higher is better whatever the metric's direction), the comparison with the baseline, or the failure with its category and log tail. With wait_seconds (at most ${MAX_WAIT_SECONDS}) it waits for the experiment to end, sending progress notifications if you asked for them; if it is still queued or running afterwards, call again.`,
  kind: 'read',
  input: z.object({
    experiment_id: z.string().min(1).max(100).describe('id from run_experiment'),
    wait_seconds: WaitSeconds.optional().describe(
      `wait up to this long for the experiment to end (default 0, at most ${MAX_WAIT_SECONDS})`,
    ),
  }),
  output: RewardShape,
  async handle(context, input) {
    const { services } = context;
    let experiment = await services.getExperiment(input.experiment_id);
    const seconds = input.wait_seconds ?? 0;
    if (seconds > 0 && !isEnded(experiment)) {
      const id = experiment.id;
      let latest = experiment;
      const ended = await waitWithProgress(context, services.waitForExperiment(id, seconds * 1000, context.signal), {
        seconds,
        describe: () => describe(latest),
        watch: (changed) =>
          services.onExperimentUpdate((update) => {
            if (update.id !== id || isEnded(update)) return;
            latest = update;
            changed();
          }),
      });
      experiment = ended ?? (await services.getExperiment(id));
    }
    // The baseline comparison, with the profile it was measured with, is the one stored when the experiment ended.
    return rewardOutput(experiment);
  },
  render: rewardText,
  summarize: rewardGuide,
  links: (output) => experimentLinks(output.experiment_id),
});
