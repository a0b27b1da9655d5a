// End to end with real SDKs: GROUNDWORK_PROVIDER=openai (or anthropic) and a base URL pointing at a scripted
// compatible server; propose_idea and implement_idea over MCP on tiny-lm, then searches with per-search costs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load-config.js';
import { createResearchServer, type ResearchServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';
import { type ChatTurn, researchModel } from '../fixtures/llm/research-model.js';
import { callTool, connectInMemory } from '../helpers/mcp-client.js';
import {
  anthropicMessage,
  chatCompletion,
  type ScriptedLlmServer,
  startScriptedLlmServer,
} from '../helpers/scripted-llm-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { BUNDLED_ENVIRONMENTS, FIXTURE_ENVIRONMENTS } from '../helpers/test-server.js';

const PROVIDERS = {
  openai: {
    model: 'gpt-5-mini',
    answered: 'gpt-5-mini-2025-08-07',
    env: (url: string) => ({ OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: 'sk-e2e-openai-000000' }),
    reply(body: Record<string, unknown>) {
      const [system, ...turns] = body.messages as ChatTurn[];
      return chatCompletion(researchModel(system?.content ?? '', turns), { model: this.answered });
    },
  },
  anthropic: {
    model: 'claude-sonnet-4-6',
    answered: 'claude-sonnet-4-6',
    env: (url: string) => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-e2e-000000000' }),
    reply(body: Record<string, unknown>) {
      const text = researchModel(body.system as string, body.messages as ChatTurn[]);
      return anthropicMessage(text, { model: this.answered });
    },
  },
} as const;

describe.each(Object.keys(PROVIDERS) as (keyof typeof PROVIDERS)[])('%s provider end to end', (name) => {
  const provider = PROVIDERS[name];
  let llm: ScriptedLlmServer;
  let server: ResearchServer;

  beforeEach(async () => {
    llm = await startScriptedLlmServer((request) => ({ body: provider.reply(request.body) }));
    const config = loadConfig({
      env: {
        GROUNDWORK_PROVIDER: name,
        GROUNDWORK_MODEL: provider.model,
        GROUNDWORK_SAMPLES: '2',
        ...provider.env(llm.url),
      },
      configFile: null,
      overrides: {
        home: await tempDir(),
        environmentDirs: [FIXTURE_ENVIRONMENTS, BUNDLED_ENVIRONMENTS],
        python: ['/usr/bin/python3', 'python3'],
        jobEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
        preflight: { smoke: false },
      },
    });
    server = await createResearchServer(config, { log: silentLogger });
  });
  afterEach(async () => {
    await server.close();
    await llm.close();
  });

  it('proposes and implements ideas for tiny-lm over MCP, revising a refused edit, and records the calls', async () => {
    const connection = await connectInMemory(server);
    try {
      const proposed = await callTool(connection.client, 'propose_idea', { environment: 'tiny-lm', count: 2 });
      expect(proposed.isError, proposed.text).toBe(false);
      const ideas = proposed.data.ideas as { id: string; title: string; text: string }[];
      expect(ideas.map((idea) => idea.title)).toEqual(['Four transformer blocks', 'Dropout of 0.1']);
      expect(ideas[0]?.text).toMatch(
        /^\[Experiment\] Set N_LAYER to 4\..*\n\[Code Changes\] In model.py set N_LAYER = 4\./s,
      );
      const stored = await server.services.getIdea(ideas[0]?.id as string);
      expect(stored?.origin).toMatchObject({ provider: name, model: provider.answered, kind: 'seed' });

      const implemented = await callTool(connection.client, 'implement_idea', { idea_id: ideas[0]?.id });
      expect(implemented.isError, implemented.text).toBe(false);
      expect(implemented.data).toMatchObject({ status: 'ready', implementer: name, files_changed: ['model.py'] });
      expect(implemented.data.diff).toMatch(/-N_LAYER = 3\n\+N_LAYER = 4/);
      const implementation = await server.services.getImplementation(implemented.data.implementation_id);
      // Both chains' first answers copied line numbers and were refused; a revision passed.
      expect(implementation.model).toBe(provider.answered);
      const refused = implementation.attempts.filter((attempt) => attempt.outcome === 'failed');
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused[0]?.error).toMatch(/not found in model.py/);
      expect(implementation.attempts.find((attempt) => attempt.outcome === 'passed')).toMatchObject({
        revision: 1,
        callId: expect.stringMatching(/^call_/),
      });
      const secondTurn = llm.requests.find((request) =>
        JSON.stringify(request.body).includes('That edit could not be used'),
      );
      expect(JSON.stringify(secondTurn?.body)).toContain('not found in model.py');

      const costs = await server.services.llmCosts();
      expect(costs.byModel.map((row) => row.role).sort()).toEqual(['ideator', 'implementer']);
      expect(costs.total.unpricedCalls).toBe(0);
      expect(costs.total.costUsd).toBeGreaterThan(0);
      const calls = await server.store.llmCalls.list();
      expect(JSON.stringify(calls)).not.toMatch(/sk-e2e|sk-ant-e2e|N_LAYER/);
    } finally {
      await connection.close();
    }
  });

  it('runs a search whose model costs are totalled per search, and stops cleanly when its budget is spent', async () => {
    const search = await server.services.startSearch({
      environment: 'toy',
      strategy: 'best-of-n',
      options: { n: 2, batchSize: 2 },
    });
    const ended = await server.services.waitForSearch(search.id);
    expect(ended.state, ended.error).toBe('succeeded');
    const costs = await server.services.llmCosts({ searchId: search.id });
    expect(costs.byModel.map((row) => row.role).sort()).toEqual(['ideator', 'implementer']);
    expect(costs.total.calls).toBeGreaterThanOrEqual(3);
    const connection = await connectInMemory(server);
    try {
      const followed = await callTool(connection.client, 'get_search', { search_id: search.id });
      expect(followed.data.cost).toMatchObject({ calls: costs.total.calls, usd: costs.total.costUsd });
      expect(followed.text).toMatch(/model calls: \d+, \$/);
    } finally {
      await connection.close();
    }
    const rates = await server.services.executionRates({ searchId: search.id });
    expect(rates).toEqual([expect.objectContaining({ model: `${name}/${provider.answered}`, ideas: 2, succeeded: 2 })]);

    const budgeted = await server.services.startSearch({
      environment: 'toy',
      strategy: 'best-of-n',
      options: { n: 4, batchSize: 2, budgetUsd: 0.000001 },
    });
    const stopped = await server.services.waitForSearch(budgeted.id);
    expect(stopped.state).toBe('succeeded');
    expect(stopped.options.budgetUsd).toBe(0.000001);
    expect(stopped.stopped).toMatchObject({
      reason: 'budget_exhausted',
      message: expect.stringMatching(/budget of \$0\.00 is spent/),
    });
    const spent = await server.services.llmCosts({ searchId: budgeted.id });
    expect(spent.byModel.map((row) => row.role)).toEqual(['ideator']);
    expect(stopped.experimentIds).toEqual([]);
  });
});
