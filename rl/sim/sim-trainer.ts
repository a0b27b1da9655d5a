// The in-process trainer of the simulated policy: one GRPO policy-gradient step on its softmax logits per epoch.
import { ResearchError } from '../../src/domain/errors.js';
import type { PolicyPrompt, TrainedPolicy, Trainer, TrainingBatch } from '../types.js';
import { type SimModel, softmax, templateProbabilities } from './sim-policy.js';

/** Step size on the logits; with unit-scale advantages the policy collapses over a few dozen epochs, as in the paper. */
export const SIM_LEARNING_RATE = 2;

/**
 * ∇ log π(a) for a softmax is onehot(a) − π, so the on-policy GRPO step (importance ratio 1, no clipping
 * active) is logits += lr × mean_i A_i (onehot(a_i) − π(·|prompt_i)), and the same for the verbosity softmax.
 */
export function createSimTrainer(model: SimModel, learningRate = SIM_LEARNING_RATE): Trainer {
  return {
    kind: 'simulated',
    async train(batch: TrainingBatch): Promise<TrainedPolicy> {
      const gradLogits = model.logits.map(() => 0);
      const gradVerbosity = model.verbosity.map(() => 0);
      const verbosityProbabilities = softmax(model.verbosity);
      const n = batch.rollouts.length;
      for (const rollout of batch.rollouts) {
        const advantage = rollout.advantage ?? 0;
        const template = rollout.meta?.template;
        const verbosity = rollout.meta?.verbosity;
        if (typeof template !== 'number' || typeof verbosity !== 'number') {
          throw new ResearchError('internal', `rollout ${rollout.id} was not sampled by the simulated policy`);
        }
        if (advantage === 0) continue;
        const probabilities = templateProbabilities(model, batch.prompts[rollout.group] as PolicyPrompt);
        probabilities.forEach(
          (p, i) => (gradLogits[i] = (gradLogits[i] as number) + advantage * ((i === template ? 1 : 0) - p)),
        );
        verbosityProbabilities.forEach(
          (p, i) => (gradVerbosity[i] = (gradVerbosity[i] as number) + advantage * ((i === verbosity ? 1 : 0) - p)),
        );
      }
      model.logits = model.logits.map((logit, i) => logit + (learningRate * (gradLogits[i] as number)) / n);
      model.verbosity = model.verbosity.map((logit, i) => logit + (learningRate * (gradVerbosity[i] as number)) / n);
      model.version += 1;
      return { policyVersion: model.version, model: `simulated-v${model.version}` };
    },
  };
}
