// run_experiment: queue a ready implementation for execution; returns an experiment id at once.
import { z } from 'zod';

import { MAX_SEEDS, Seeds } from '../src/domain/limits.js';
import { ExperimentState } from '../src/domain/states.js';
import { ConfirmInput, confirmSpend } from './confirm-spend.js';
import { defineTool } from './define-tool.js';
import { experimentLinks, POLL_SECONDS } from './guides.js';

export const runExperiment = defineTool({
  name: 'run_experiment',
  title: 'Run an experiment',
  description:
    'Queues a ready implementation (from implement_idea) to train and evaluate once per seed, and returns an experiment_id at once; it does not wait. Follow it with get_reward { experiment_id, wait_seconds }. Profile "smoke" (when the environment has it) is a cheap check; "default" is the real run that the baseline was measured with.',
  kind: 'write',
  input: z.object({
    implementation_id: z.string().min(1).max(100).describe('id from implement_idea with status "ready"'),
    seeds: Seeds.optional().describe(
      `seeds to run (default [0]); several seeds give a mean and spread; at most ${MAX_SEEDS}`,
    ),
    profile: z.string().min(1).max(100).optional().describe('environment profile (default "default")'),
    confirm: ConfirmInput,
  }),
  output: z.object({
    experiment_id: z.string(),
    status: ExperimentState,
    implementation_id: z.string(),
    environment: z.string(),
    seeds: z.array(z.number().int()),
    profile: z.string(),
  }),
  async handle(context, input) {
    const { services, log } = context;
    const implementation = await services.getImplementation(input.implementation_id);
    if (implementation.status === 'ready') {
      // A failed implementation is refused by the service, with what to do; no need to ask about its cost.
      const estimate = await services.estimateCost({
        environment: implementation.environment,
        profile: input.profile,
        seeds: new Set(input.seeds ?? [0]).size,
        experiments: 1,
        modelCalls: false,
      });
      await confirmSpend(context, estimate, input.confirm, `an experiment on ${implementation.environment}`);
    }
    const experiment = await services.runExperiment({
      implementationId: input.implementation_id,
      seeds: input.seeds,
      profile: input.profile,
    });
    log.info(`experiment ${experiment.id} queued`, { implementation: input.implementation_id });
    return {
      experiment_id: experiment.id,
      status: experiment.state,
      implementation_id: experiment.implementationId,
      environment: experiment.environment,
      seeds: experiment.runs.map((run) => run.seed),
      profile: experiment.profile,
    };
  },
  summarize: (output) => ({
    summary: `Experiment ${output.experiment_id} is ${output.status} (${output.environment}, profile ${output.profile}, seeds ${output.seeds.join(', ')}); this call returned at once and does not wait. Call get_reward to wait for its reward.`,
    next: { tool: 'get_reward', arguments: { experiment_id: output.experiment_id, wait_seconds: POLL_SECONDS } },
  }),
  links: (output) => experimentLinks(output.experiment_id),
  render(output) {
    return `experiment ${output.experiment_id} is ${output.status} (${output.environment}, profile ${output.profile}, seeds ${output.seeds.join(', ')}).\nNext: get_reward { experiment_id: "${output.experiment_id}", wait_seconds: 30 }.`;
  },
});
