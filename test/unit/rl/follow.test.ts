// Following RL runs through the services (get_rl_run tool), and the pipeline evaluator's resume rules.
import { describe, expect, it } from 'vitest';

import { createPipelineEvaluator } from '../../../rl/pipeline-evaluator.js';
import { simulate } from '../../../rl/sim/simulate.js';
import type { Experiment, Implementation } from '../../../src/domain/records.js';
import type { RlRollout } from '../../../src/domain/rl-records.js';
import type { ResearchServices } from '../../../src/services/research-services.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { getRlRun } from '../../../tools/get-rl-run.js';
import type { ToolContext } from '../../../tools/define-tool.js';
import { createTestServer } from '../../helpers/test-server.js';

describe('get_rl_run', () => {
  it('lists runs, and gives one run with a row of collapse metrics per epoch', async () => {
    const store = createMemoryStore();
    const server = await createTestServer({ overrides: { store } });
    try {
      const { run } = await simulate({ store, epochs: 4, groupSize: 16, mitigations: ['diversity-penalty'] });
      const context = { services: server.services, signal: new AbortController().signal } as unknown as ToolContext;
      const listed = await getRlRun.handle(context, {});
      expect(listed.runs).toEqual([expect.objectContaining({ run_id: run.id, state: 'succeeded', epoch: 4 })]);
      const one = await getRlRun.handle(context, { run_id: run.id, last: 2 });
      expect(one.epochs.map((e) => e.epoch)).toEqual([2, 3]);
      expect(one.epochs[0]).toEqual(
        expect.objectContaining({
          mean_reward: expect.any(Number),
          duplicate_share: expect.any(Number),
          distinct_ideas: expect.any(Number),
        }),
      );
      expect(getRlRun.render(one)).toMatch(/policy v4 .*mitigations diversity-penalty=0.5\nepoch 2: mean 0\.\d{4} max/);
      await expect(getRlRun.handle(context, { run_id: 'rl_nope' })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await server.close();
    }
  });
});

describe('pipeline evaluator', () => {
  const rollout = (patch: Partial<RlRollout>): RlRollout => ({
    id: 'rl_x.e0.g0.r0',
    schemaVersion: 1,
    runId: 'rl_x',
    epoch: 0,
    group: 0,
    index: 0,
    policyVersion: 0,
    state: 'sampled',
    completion: 'c',
    thinkingTokens: 0,
    completionTokens: 1,
    idea: { title: 't', text: '[Experiment] x\n[Code Changes] y', tokens: 5 },
    createdAt: '',
    updatedAt: '',
    ...patch,
  });
  const experiment = (id: string, state: Experiment['state'], reward?: number) =>
    ({
      id,
      state,
      ...(reward === undefined ? {} : { result: { reward } }),
      failure: { category: 'crashed', message: 'boom' },
    }) as unknown as Experiment;

  function fakeServices(experiments: Record<string, Experiment>) {
    const calls: string[] = [];
    const services = {
      implementIdea: async () => (calls.push('implement'), { id: 'impl_1', status: 'ready' }) as Implementation,
      getImplementation: async () =>
        (calls.push('getImplementation'), { id: 'impl_1', status: 'ready' }) as Implementation,
      runExperiment: async () => (calls.push('run'), (experiments.exp_new = experiment('exp_new', 'succeeded', 0.6))),
      getExperiment: async (id: string) => experiments[id] as Experiment,
      waitForExperiment: async (id: string) => (calls.push(`wait ${id}`), experiments[id] as Experiment),
    } as unknown as ResearchServices;
    return { services, calls };
  }

  it('waits for the experiment a killed run had started instead of running the idea again', async () => {
    const { services, calls } = fakeServices({ exp_1: experiment('exp_1', 'succeeded', 0.5) });
    const evaluator = createPipelineEvaluator({
      services,
      store: createMemoryStore(),
      environment: 'tiny-lm',
      profile: 'smoke',
    });
    const saved: Partial<RlRollout>[] = [];
    const save = async (patch: Partial<RlRollout>) => (saved.push(patch), rollout(patch));
    const result = await evaluator.evaluate(
      rollout({ ideaId: 'idea_1', implementationId: 'impl_1', experimentId: 'exp_1' }),
      save,
    );
    expect(result).toEqual({ executed: true, reward: 0.5 });
    expect(calls).toEqual(['getImplementation']);
    expect(saved).toEqual([]);
  });

  it('queues again an experiment an interruption cancelled, and scores any other failure 0', async () => {
    const { services, calls } = fakeServices({
      exp_1: experiment('exp_1', 'cancelled'),
      exp_2: experiment('exp_2', 'failed'),
    });
    const evaluator = createPipelineEvaluator({
      services,
      store: createMemoryStore(),
      environment: 'tiny-lm',
      profile: 'smoke',
    });
    const save = async (patch: Partial<RlRollout>) => rollout(patch);
    expect(
      await evaluator.evaluate(rollout({ ideaId: 'i', implementationId: 'impl_1', experimentId: 'exp_1' }), save),
    ).toEqual({
      executed: true,
      reward: 0.6,
    });
    expect(calls).toContain('run');
    expect(
      await evaluator.evaluate(rollout({ ideaId: 'i', implementationId: 'impl_1', experimentId: 'exp_2' }), save),
    ).toEqual({
      executed: false,
      reward: 0,
      failure: { category: 'crashed', message: 'boom' },
    });
  });
});
