// Choosing the ideator and the implementer from the `llm` settings: offline by default, metered model back-ends per role.
import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../../src/config/load-config.js';
import { ResearchError } from '../../../src/domain/errors.js';
import type { LlmCall } from '../../../src/domain/records.js';
import { createScriptedProvider } from '../../../src/llm/scripted.js';
import { createRoles } from '../../../src/roles/create-roles.js';
import { proposeRequest } from '../../helpers/llm-fixtures.js';

const base = { home: '/tmp/gw-test-home', environmentDirs: ['/tmp'], python: ['python3'] };

describe('createRoles', () => {
  const llmConfig = (env: Record<string, string>) => loadConfig({ env, configFile: null, overrides: base }).llm;
  const sink = { record: async () => undefined };

  it('offline by default: the knob ideator and the deterministic knob implementer', () => {
    const { ideator, implementer } = createRoles(llmConfig({}), { sink });
    expect([ideator.name, implementer.name, implementer.deterministic]).toEqual(['offline', 'offline', true]);
  });

  it('meters an injected back-end, files calls under the role and the search, with separate models per role', async () => {
    const calls: LlmCall[] = [];
    const fake = createScriptedProvider(
      [
        '[Title] A\n[Experiment] Double the width of the model everywhere.\n[Code Changes] In train.py set WIDTH = 16.\n[End]',
      ],
      {
        name: 'openai',
      },
    );
    const { ideator, implementer } = createRoles(
      llmConfig({
        GROUNDWORK_PROVIDER: 'openai',
        GROUNDWORK_IDEATOR_MODEL: 'gpt-5',
        GROUNDWORK_IMPLEMENTER_MODEL: 'gpt-5-mini',
      }),
      { sink: { record: async (call) => void calls.push(call) }, injected: { openai: fake } },
    );
    expect([ideator.model, implementer.model]).toEqual(['gpt-5', 'gpt-5-mini']);
    const ideas = await ideator.propose(await proposeRequest({ count: 1, searchId: 'search_9' }));
    expect(ideas).toHaveLength(1);
    expect(calls).toEqual([expect.objectContaining({ role: 'ideator', searchId: 'search_9', provider: 'openai' })]);
  });

  it('drops the last idea of an answer cut off at the token limit, and names a refusal', async () => {
    const two =
      '[Title] A\n[Experiment] Double the width of the model everywhere.\n[Code Changes] In train.py set WIDTH = 16.\n[End]\n' +
      '[Title] B\n[Experiment] Halve the learning rate of the optimiser.\n[Code Changes] In train.py set LEARNING_RA';
    const fake = createScriptedProvider([
      { text: two, stopReason: 'max_tokens' },
      { text: '', stopReason: 'refusal' },
    ]);
    const { ideator } = createRoles(llmConfig({ GROUNDWORK_PROVIDER: 'openai', GROUNDWORK_MODEL: 'm' }), {
      sink,
      injected: { openai: fake },
    });
    expect((await ideator.propose(await proposeRequest({ count: 2 }))).map((idea) => idea.title)).toEqual(['A']);
    await expect(ideator.propose(await proposeRequest({ count: 1 }))).rejects.toThrow(/declined \(refusal\)/);
  });

  it('explains what is missing on first use: a model, a key, or an MCP client for sampling', async () => {
    const request = await proposeRequest();
    const noModel = createRoles(llmConfig({ GROUNDWORK_PROVIDER: 'openai' }), { sink });
    await expect(noModel.ideator.propose(request)).rejects.toThrow(/GROUNDWORK_MODEL/);
    const noKey = createRoles(llmConfig({ GROUNDWORK_PROVIDER: 'anthropic', GROUNDWORK_MODEL: 'claude-x' }), {
      sink,
    });
    await expect(noKey.ideator.propose(request)).rejects.toThrow(/ANTHROPIC_API_KEY/);
    const sampling = createRoles(llmConfig({ GROUNDWORK_PROVIDER: 'sampling' }), { sink });
    const error = await sampling.ideator.propose(request).catch((e: unknown) => e);
    expect(ResearchError.is(error, 'config_invalid')).toBe(true);
    expect((error as Error).message).toMatch(/MCP client/);
  });
});
