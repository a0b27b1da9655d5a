// The `llm` settings: defaults, environment variables, CLI flags and redaction (the roles they choose: test/unit/roles).
import { describe, expect, it } from 'vitest';

import { llmFlagOverrides } from '../../../src/config/llm-flags.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { redactConfig, secretsOf } from '../../../src/config/redact.js';

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
