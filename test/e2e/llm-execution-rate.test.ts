// The implementer fixture set through the real OpenAI SDK: how many ideas get a working edit with N samples and
// R revisions, and (with Debian's torch) how many of those then run to a valid result on tiny-lm-snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load-config.js';
import { createResearchServer, type ResearchServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';
import {
  fixtureImplementer,
  type ImplementerCase,
  LLM_ENVIRONMENTS,
  loadImplementerCases,
} from '../fixtures/llm/implementer-cases.js';
import { chatCompletion, type ScriptedLlmServer, startScriptedLlmServer } from '../helpers/scripted-llm-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { hasTorch } from '../helpers/test-server.js';

const cases = loadImplementerCases();
const MODEL = 'gpt-5-mini';

async function openServer(url: string, samples: number, revisions: number): Promise<ResearchServer> {
  const config = loadConfig({
    env: {
      GROUNDWORK_PROVIDER: 'openai',
      GROUNDWORK_MODEL: MODEL,
      OPENAI_BASE_URL: `${url}/v1`,
      OPENAI_API_KEY: 'sk-fixture-0000000000',
      GROUNDWORK_SAMPLES: String(samples),
      GROUNDWORK_REVISIONS: String(revisions),
    },
    configFile: null,
    overrides: {
      home: await tempDir(),
      environmentDirs: [LLM_ENVIRONMENTS],
      python: ['/usr/bin/python3', 'python3'],
      jobEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      scheduler: { concurrency: 4 },
      preflight: { smoke: false },
    },
  });
  return createResearchServer(config, { log: silentLogger });
}

/** Implements every case; returns which got a ready implementation, by case name. */
async function implementAll(server: ResearchServer, list: readonly ImplementerCase[]) {
  const results = new Map<string, { ready: boolean; implementationId: string; attempts: number }>();
  for (const fixture of list) {
    const implementation = await server.services.implementIdea({ idea: fixture.idea, environment: 'tiny-lm-snapshot' });
    results.set(fixture.name, {
      ready: implementation.status === 'ready',
      implementationId: implementation.id,
      attempts: implementation.attempts.length,
    });
  }
  return results;
}

describe('implementer fixture set: execution rate with and without revision', () => {
  let llm: ScriptedLlmServer;
  const rates: Record<string, string> = {};

  beforeAll(async () => {
    llm = await startScriptedLlmServer((request) => {
      const messages = (request.body.messages as { role: string; content: string }[]).filter(
        (m) => m.role !== 'system',
      );
      return { body: chatCompletion(answer(messages)) };
    });
  });
  let answer: (messages: { role: string; content: string }[]) => string = () => '';
  afterAll(async () => {
    await llm.close();
    console.log(
      `implementer fixture set (${cases.length} ideas):\n${Object.entries(rates)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}`,
    );
  });

  const grid = [
    { samples: 1, revisions: 0, ready: 6 },
    { samples: 1, revisions: 2, ready: 13 },
    { samples: 3, revisions: 0, ready: 9 },
    { samples: 3, revisions: 2, ready: 14 },
  ];
  for (const { samples, revisions, ready } of grid) {
    it(`N=${samples} samples, R=${revisions} revisions: ${ready} of ${cases.length} ideas get a working edit`, async () => {
      answer = fixtureImplementer(cases);
      const server = await openServer(llm.url, samples, revisions);
      try {
        const results = await implementAll(server, cases);
        const passed = [...results.values()].filter((result) => result.ready).length;
        rates[`N=${samples} R=${revisions} implemented`] =
          `${passed}/${cases.length} = ${((100 * passed) / cases.length).toFixed(1)}%`;
        expect(passed, JSON.stringify(Object.fromEntries(results))).toBe(ready);
        expect(results.get('11-hard-fails')?.ready).toBe(false);
        if (revisions > 0) expect(results.get('04-line-numbers-copied')?.ready).toBe(true);
        const costs = await server.services.llmCosts();
        expect(costs.total.calls).toBeGreaterThanOrEqual(cases.length);
        expect(costs.byModel[0]).toMatchObject({
          role: 'implementer',
          model: 'gpt-5-mini-2025-08-07',
          unpricedCalls: 0,
        });
        expect(costs.total.costUsd).toBeGreaterThan(0);

        if (!hasTorch || samples !== 1 || revisions !== 2) return;
        // Run each working edit once (smoke profile) and count the ideas that reach a valid result.
        const queued = [];
        for (const result of results.values()) {
          if (result.ready)
            queued.push(
              await server.services.runExperiment({ implementationId: result.implementationId, profile: 'smoke' }),
            );
        }
        const ended = await Promise.all(
          queued.map((experiment) => server.services.waitForExperiment(experiment.id, 240_000)),
        );
        const valid = ended.filter((experiment) => experiment.state === 'succeeded').length;
        rates[`N=${samples} R=${revisions} valid run (smoke)`] =
          `${valid}/${cases.length} = ${((100 * valid) / cases.length).toFixed(1)}%`;
        expect(valid, JSON.stringify(ended.map((e) => [e.state, e.failure?.category, e.failure?.message]))).toBe(12);
        const [row] = await server.services.executionRates({ environment: 'tiny-lm-snapshot' });
        expect(row).toMatchObject({
          model: 'openai/gpt-5-mini-2025-08-07',
          ideas: 15,
          implemented: 13,
          settled: 15,
          succeeded: 12,
        });
        expect(row?.executionRate).toBeCloseTo(12 / 15, 9);
      } finally {
        await server.close();
      }
    }, 300_000);
  }
});
