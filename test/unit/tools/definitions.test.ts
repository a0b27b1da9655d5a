// Every tool definition: names, descriptions, schemas, annotations, and renderings of typical results.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { annotationsFor } from '../../../src/mcp/register-tools.js';
import { allTools } from '../../../tools/index.js';
import { strategyOptions } from '../../../tools/run-search.js';
import { rewardText } from '../../../tools/text.js';

describe('tool definitions', () => {
  it('have unique snake_case verb-first names, titles and model-facing descriptions', () => {
    const names = allTools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    for (const tool of allTools) {
      expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
      expect(tool.title.length).toBeGreaterThan(3);
      expect(tool.description.length, tool.name).toBeGreaterThan(80);
    }
  });

  it('produce JSON Schemas whose properties are snake_case', () => {
    for (const tool of allTools) {
      for (const schema of [z.toJSONSchema(tool.input), z.toJSONSchema(tool.output, { io: 'output' })]) {
        expect(schema.type, tool.name).toBe('object');
        for (const key of Object.keys(schema.properties ?? {})) expect(key, tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      }
    }
  });

  it('derive annotations from their kind', () => {
    const byName = Object.fromEntries(allTools.map((tool) => [tool.name, annotationsFor(tool)]));
    expect(byName.list_environments).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: false });
    expect(byName.get_reward).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    expect(byName.propose_idea).toMatchObject({ readOnlyHint: false, idempotentHint: false, openWorldHint: true });
    expect(byName.run_experiment).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: false });
    expect(byName.cancel_search).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(byName.cancel_experiment?.title).toBe('Cancel an experiment');
  });

  it('reject bad arguments with messages that say what to do', () => {
    const getReward = allTools.find((tool) => tool.name === 'get_reward');
    const result = getReward?.input.safeParse({ experiment_id: 'exp_1', wait_seconds: 600 });
    expect(result?.success).toBe(false);
    expect(z.prettifyError(result?.error as z.ZodError)).toMatch(/at most 45; call again/);
    const implement = allTools.find((tool) => tool.name === 'implement_idea');
    const big = implement?.input.safeParse({ idea_id: 'idea_1', edit: 'x'.repeat(400_001) });
    expect(z.prettifyError(big?.error as z.ZodError)).toMatch(/send a diff or search\/replace blocks/);
  });
});

describe('run_search options', () => {
  it('maps epochs, batch size and budget onto each strategy', () => {
    expect(strategyOptions({ strategy: 'evolutionary', epochs: 2, batch_size: 3 })).toEqual({
      epochs: 2,
      batchSize: 3,
    });
    expect(strategyOptions({ strategy: 'evolutionary', batch_size: 4, budget: 9 })).toEqual({
      epochs: 2,
      batchSize: 4,
    });
    expect(strategyOptions({ strategy: 'best-of-n', budget: 5, batch_size: 2 })).toEqual({ n: 5, batchSize: 2 });
    expect(strategyOptions({ strategy: 'evolutionary', options: { exploitStart: 0.4 } })).toEqual({
      exploitStart: 0.4,
    });
  });

  it('refuses combinations that cannot work', () => {
    expect(() => strategyOptions({ strategy: 'best-of-n', epochs: 2 })).toThrow(/no epochs/);
    expect(() => strategyOptions({ strategy: 'evolutionary', batch_size: 8, budget: 3 })).toThrow(
      /smaller than one epoch/,
    );
  });
});

describe('text renderings', () => {
  it('say whether a result beat the baseline, and what to do while it runs', () => {
    const base = {
      experiment_id: 'exp_1',
      environment: 'toy',
      idea_id: 'idea_1',
      implementation_id: 'impl_1',
      profile: 'default',
      runs: [],
      updated_at: '2025-01-01T00:00:00.000Z',
    };
    const done = rewardText({
      ...base,
      status: 'succeeded',
      reward: 0.8,
      metric: { name: 'loss', value: 1.25, direction: 'min', std: 0.01, seeds: 2 },
      baseline: { value: 2, std: 0.05, delta: -0.75, improved: true },
    });
    expect(done).toContain('loss = 1.25 ± 0.01 over 2 seeds (lower is better)');
    expect(done).toContain('delta -0.75, better than the baseline');
    expect(rewardText({ ...base, status: 'running' })).toMatch(/call get_reward again/);
    const smoke = rewardText({
      ...base,
      profile: 'smoke',
      status: 'succeeded',
      metric: { name: 'loss', value: 3, direction: 'min' },
      baseline: { value: 2, std: 0.05, delta: 1, improved: false, beyond_noise: true, profile: 'default' },
    });
    expect(smoke).toMatch(/baseline was measured with profile "default" and this run used "smoke"/);
    const failed = rewardText({
      ...base,
      status: 'failed',
      failure: { category: 'crashed', message: 'training exited with 1', log_tail: 'Traceback…' },
    });
    expect(failed).toContain('failure: crashed: training exited with 1');
    expect(failed).toContain('Traceback…');
  });
});
