// The `llm` settings: defaults, environment variables, CLI flags, redaction, and the provider factory map.
import { describe, expect, it } from 'vitest';

import { llmFlagOverrides } from '../../../src/config/llm-flags.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { redactConfig, secretsOf } from '../../../src/config/redact.js';
import { ResearchError } from '../../../src/domain/errors.js';
import type { LlmCall } from '../../../src/domain/records.js';
import { createProviders } from '../../../src/llm/create-providers.js';
import { createScriptedProvider } from '../../../src/llm/scripted.js';
import { proposeRequest } from './llm-fixtures.js';

const base = { home: '/tmp/gw-test-home', environmentDirs: ['/tmp'], python: ['python3'] };

describe('llm settings', () => {
  it('defaults to the offline provider with the paper’s N=10 samples and R=2 revisions', () => {
    const { llm } = loadConfig({ env: {}, configFile: null, overrides: base });
    expect(llm).toMatchObject({ provider: 'offline', implementer: { samples: 10, revisions: 2 }, maxRetries: 3 });
    expect(llm.ideator.maxTokens).toBeGreaterThan(0);
  });

  it('reads GROUNDWORK_* and vendor variables; CLI flags win over them', () => {
    const env = {
      GROUNDWORK_PROVIDER: 'openai',
      GROUNDWORK_MODEL: 'gpt-5-mini',
      GROUNDWORK_IMPLEMENTER_MODEL: 'gpt-5',
      GROUNDWORK_SAMPLES: '4',
      OPENAI_API_KEY: 'sk-env-key-0000000000',
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
      ANTHROPIC_API_KEY: 'sk-ant-env-000000000',
    };
    const { llm } = loadConfig({ env, configFile: null, overrides: base });
    expect(llm).toMatchObject({
      provider: 'openai',
      model: 'gpt-5-mini',
      implementer: { model: 'gpt-5', samples: 4, revisions: 2 },
      openai: { apiKey: 'sk-env-key-0000000000', baseUrl: 'http://127.0.0.1:8000/v1' },
      anthropic: { apiKey: 'sk-ant-env-000000000' },
    });
    const flagged = loadConfig({
      env,
      configFile: null,
      overrides: {
        ...base,
        llm: llmFlagOverrides({ provider: 'anthropic', 'ideator-model': 'claude-x', revisions: '0' }),
      },
    }).llm;
    expect(flagged).toMatchObject({
      provider: 'anthropic',
      ideator: { model: 'claude-x' },
      implementer: { revisions: 0, samples: 4 },
    });
    expect(() => loadConfig({ env: { GROUNDWORK_SAMPLES: 'many' }, configFile: null, overrides: base })).toThrow(
      /samples/,
    );
    expect(() => llmFlagOverrides({ samples: '-1' })).toThrow(/--samples/);
  });

  it('redacts keys and tokens when shown', () => {
    const config = loadConfig({
      env: { OPENAI_API_KEY: 'sk-secret-1234567890', GROUNDWORK_TOKEN: 'tok-0123456789abcdef' },
      configFile: null,
      overrides: base,
    });
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('sk-secret-1234567890');
    expect(shown).not.toContain('tok-0123456789abcdef');
    expect(secretsOf(config)).toEqual(['sk-secret-1234567890', 'tok-0123456789abcdef']);
    expect(config.llm.openai.apiKey).toBe('sk-secret-1234567890');
  });
});

describe('createProviders', () => {
  const llmConfig = (env: Record<string, string>) => loadConfig({ env, configFile: null, overrides: base }).llm;
  const sink = { record: async () => undefined };

  it('offline by default: the knob ideator and the deterministic knob implementer', () => {
    const { ideaProvider, editWriter } = createProviders(llmConfig({}), { sink });
    expect([ideaProvider.name, editWriter.name, editWriter.deterministic]).toEqual(['offline', 'offline', true]);
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
    const { ideaProvider, editWriter } = createProviders(
      llmConfig({
        GROUNDWORK_PROVIDER: 'openai',
        GROUNDWORK_IDEATOR_MODEL: 'gpt-5',
        GROUNDWORK_IMPLEMENTER_MODEL: 'gpt-5-mini',
      }),
      { sink: { record: async (call) => void calls.push(call) }, injected: { openai: fake } },
    );
    expect([ideaProvider.model, editWriter.model]).toEqual(['gpt-5', 'gpt-5-mini']);
    const ideas = await ideaProvider.propose(await proposeRequest({ count: 1, searchId: 'search_9' }));
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
    const { ideaProvider } = createProviders(llmConfig({ GROUNDWORK_PROVIDER: 'openai', GROUNDWORK_MODEL: 'm' }), {
      sink,
      injected: { openai: fake },
    });
    expect((await ideaProvider.propose(await proposeRequest({ count: 2 }))).map((idea) => idea.title)).toEqual(['A']);
    await expect(ideaProvider.propose(await proposeRequest({ count: 1 }))).rejects.toThrow(/declined \(refusal\)/);
  });

  it('explains what is missing on first use: a model, a key, or an MCP client for sampling', async () => {
    const request = await proposeRequest();
    const noModel = createProviders(llmConfig({ GROUNDWORK_PROVIDER: 'openai' }), { sink });
    await expect(noModel.ideaProvider.propose(request)).rejects.toThrow(/GROUNDWORK_MODEL/);
    const noKey = createProviders(llmConfig({ GROUNDWORK_PROVIDER: 'anthropic', GROUNDWORK_MODEL: 'claude-x' }), {
      sink,
    });
    await expect(noKey.ideaProvider.propose(request)).rejects.toThrow(/ANTHROPIC_API_KEY/);
    const sampling = createProviders(llmConfig({ GROUNDWORK_PROVIDER: 'sampling' }), { sink });
    const error = await sampling.ideaProvider.propose(request).catch((e: unknown) => e);
    expect(ResearchError.is(error, 'config_invalid')).toBe(true);
    expect((error as Error).message).toMatch(/MCP client/);
  });
});
