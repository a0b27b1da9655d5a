// get_reward: an experiment's state, and once it has ended its reward or failure; optionally waits a bounded time.
import { z } from 'zod';

import type { Experiment } from '../src/domain/records.js';
import { defineTool } from './define-tool.js';
import { RewardShape, rewardOutput } from './shapes.js';
import { rewardText } from './text.js';

/** Clients time out tool calls after 60 s or so: never wait longer than this. */
export const MAX_WAIT_SECONDS = 45;
const HEARTBEAT_MS = 5_000;

const ended = (experiment: Experiment): boolean =>
  experiment.state === 'succeeded' || experiment.state === 'failed' || experiment.state === 'cancelled';

function describe(experiment: Experiment): string {
  const done = experiment.runs.filter((run) => run.state !== 'queued' && run.state !== 'running').length;
  return `experiment ${experiment.id} ${experiment.state}: ${done}/${experiment.runs.length} seed run(s) finished`;
}

export const getReward = defineTool({
  name: 'get_reward',
  title: 'Get an experiment’s reward',
  description: `Returns an experiment's status and, once it has ended, the measured metric, the reward (higher is better whatever the metric's direction), the comparison with the baseline, or the failure with its category and log tail. With wait_seconds (at most ${MAX_WAIT_SECONDS}) it waits for the experiment to end, sending progress notifications if you asked for them; if it is still queued or running afterwards, call again.`,
  kind: 'read',
  input: z.object({
    experiment_id: z.string().min(1).max(100).describe('id from run_experiment'),
    wait_seconds: z
      .number()
      .min(0)
      .max(MAX_WAIT_SECONDS, `wait_seconds may be at most ${MAX_WAIT_SECONDS}; call again to wait longer`)
      .optional()
      .describe(`wait up to this long for the experiment to end (default 0, at most ${MAX_WAIT_SECONDS})`),
  }),
  output: RewardShape,
  async handle({ services, signal, progress }, input) {
    let experiment = await services.getExperiment(input.experiment_id);
    const waitSeconds = input.wait_seconds ?? 0;
    if (waitSeconds > 0 && !ended(experiment)) {
      const started = Date.now();
      let latest = experiment;
      let last = -1;
      const report = (): void => {
        // Progress must increase with every notification.
        last = Math.max(last + 0.001, (Date.now() - started) / 1000);
        void progress(Number(last.toFixed(3)), waitSeconds, describe(latest));
      };
      const unsubscribe = services.onExperimentUpdate((update) => {
        if (update.id !== experiment.id || ended(update)) return;
        latest = update;
        report();
      });
      const heartbeat = setInterval(report, HEARTBEAT_MS);
      report();
      try {
        // Race the abort too: a signal aborted before the wait starts listening would not end it.
        const aborted = new Promise<undefined>((resolve) => {
          if (signal.aborted) resolve(undefined);
          signal.addEventListener('abort', () => resolve(undefined), { once: true });
        });
        experiment =
          (await Promise.race([services.waitForExperiment(experiment.id, waitSeconds * 1000, signal), aborted])) ??
          (await services.getExperiment(experiment.id));
      } finally {
        unsubscribe();
        clearInterval(heartbeat);
      }
    }
    const output = rewardOutput(experiment);
    if (output.baseline) {
      // The baseline was measured with one profile; say so, since a smoke run is not comparable with it.
      const environment = await services.getEnvironment(experiment.environment).catch(() => undefined);
      const profile = environment?.manifest.baseline?.profile;
      if (profile) output.baseline.profile = profile;
    }
    return output;
  },
  render: rewardText,
});
