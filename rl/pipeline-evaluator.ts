// Scores a rollout's idea through the normal pipeline: store it, implement it (configured implementer), run it.
import { ResearchError } from '../src/domain/errors.js';
import { newId } from '../src/domain/ids.js';
import { type Experiment, SCHEMA_VERSION } from '../src/domain/records.js';
import type { RlRollout } from '../src/domain/rl-records.js';
import type { ResearchServices } from '../src/services/research-services.js';
import type { Store } from '../src/store/store.js';
import type { Evaluation, IdeaEvaluator } from './types.js';

const WAIT_SLICE_MS = 10 * 60_000;

export interface PipelineEvaluatorDeps {
  services: ResearchServices;
  store: Store;
  environment: string;
  profile: string;
}

const ended = (experiment: Experiment): boolean =>
  experiment.state === 'succeeded' || experiment.state === 'failed' || experiment.state === 'cancelled';

/**
 * Every step is saved on the rollout as it is taken (idea, implementation, experiment ids), so a resumed
 * run waits for the same experiment instead of running the idea again. An experiment cancelled by an
 * interruption is queued again; any other failure scores 0.
 */
export function createPipelineEvaluator(deps: PipelineEvaluatorDeps): IdeaEvaluator {
  const { services, store } = deps;
  return {
    async evaluate(rollout, save, signal): Promise<Evaluation> {
      let current: RlRollout = rollout;
      if (!current.idea) return { executed: false, reward: 0, failure: { category: 'no_idea', message: 'no idea' } };
      if (!current.ideaId) {
        const id = newId('idea');
        await store.ideas.put({
          id,
          schemaVersion: SCHEMA_VERSION,
          environment: deps.environment,
          title: current.idea.title,
          text: current.idea.text,
          origin: { provider: 'rl', model: String(current.meta?.model ?? 'policy'), kind: 'seed', strategy: 'rl' },
          parentIds: [],
          epoch: current.epoch,
          createdAt: new Date().toISOString(),
        });
        current = await save({ ideaId: id });
      }
      const implementation = current.implementationId
        ? await services.getImplementation(current.implementationId)
        : await services.implementIdea({ ideaId: current.ideaId as string }, signal);
      if (!current.implementationId) current = await save({ implementationId: implementation.id });
      if (implementation.status !== 'ready') {
        const error = implementation.error ?? { category: 'edit_refused', message: 'no edit' };
        return { executed: false, reward: 0, failure: { category: error.category, message: error.message } };
      }
      let experiment = current.experimentId ? await services.getExperiment(current.experimentId) : undefined;
      if (!experiment || experiment.state === 'cancelled') {
        experiment = await services.runExperiment({ implementationId: implementation.id, profile: deps.profile });
        await save({ experimentId: experiment.id });
      }
      while (!ended(experiment)) {
        if (signal?.aborted) throw new ResearchError('cancelled', 'the RL run was interrupted');
        experiment = await services.waitForExperiment(experiment.id, WAIT_SLICE_MS, signal);
      }
      if (experiment.state === 'cancelled' && signal?.aborted) {
        throw new ResearchError('cancelled', 'the RL run was interrupted');
      }
      if (experiment.state === 'succeeded' && experiment.result) {
        return { executed: true, reward: experiment.result.reward };
      }
      const failure = experiment.failure ?? { category: experiment.state, message: 'no result' };
      return { executed: false, reward: 0, failure: { category: failure.category, message: failure.message } };
    },
  };
}
