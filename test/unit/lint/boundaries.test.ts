// The module boundaries of eslint.config.js (ARCHITECTURE.md, "Layers"): forbidden imports fail, allowed ones pass.
// Lints snippets at virtual paths without type information, so the files need not exist (the cycle fixture does).
import { join } from 'node:path';

import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const BOUNDARY_RULES = new Set([
  '@typescript-eslint/no-restricted-imports',
  'no-restricted-properties',
  'no-restricted-syntax',
  '@typescript-eslint/no-import-type-side-effects',
]);

// Without type information; the snippets also skip the cycle check (it walks the real import graph, ~0.3 s a file),
// which `withCycles` keeps for the cycle fixture.
let eslint: ESLint;
let withCycles: ESLint;
beforeAll(() => {
  const noTypes = tseslint.configs.disableTypeChecked as Linter.Config;
  eslint = new ESLint({
    cwd: root,
    ignore: false,
    overrideConfig: [noTypes, { files: ['**/*.ts'], rules: { 'import-x/no-cycle': 'off' } }],
  });
  withCycles = new ESLint({ cwd: root, ignore: false, overrideConfig: noTypes });
});

/** The boundary violations in `code` linted as if it were `file` (relative to the repository root). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? [])
    .filter((m) => m.fatal || BOUNDARY_RULES.has(m.ruleId ?? ''))
    .map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

const use = (name: string) => `export const used = ${name};\n`;

/** [file, code, a part of the expected message] */
const failing = (rows: [string, string, string][]) => rows.map(([file, code, expected]) => ({ file, code, expected }));
/** [file, code]; the test is named after the first import */
const allowed = (rows: [string, string][]) =>
  rows.map(([file, code]) => ({ file, code, imports: /from '([^']+)'/.exec(code)?.[1] ?? 'process' }));

describe('layer boundaries: forbidden imports fail', () => {
  it.each(
    failing([
      [
        'src/llm/x.ts',
        `import { seedPrompt } from '../prompts/seed.js';\n${use('seedPrompt')}`,
        'llm must not import prompts',
      ],
      [
        'src/llm/x.ts',
        `import type { Manifest } from '../environments/manifest.js';\nexport type M = Manifest;\n`,
        'llm must not import environments',
      ],
      [
        'src/llm/x.ts',
        `import { loadConfig } from '../config/load-config.js';\n${use('loadConfig')}`,
        'llm must not import values from config',
      ],
      [
        'src/llm/x.ts',
        `import type { Ideator } from '../ideation/ideator.js';\nexport type I = Ideator;\n`,
        'llm must not import ideation',
      ],
      [
        'src/llm/x.ts',
        `import { check } from '../implementer/check-edit.js';\n${use('check')}`,
        'llm must not import implementer',
      ],
      [
        'src/domain/x.ts',
        `import type { Store } from '../store/store.js';\nexport type S = Store;\n`,
        'domain must not import store',
      ],
      [
        'src/util/x.ts',
        `import { loadConfig } from '../config/load-config.js';\n${use('loadConfig')}`,
        'util must not import config',
      ],
      [
        'src/store/x.ts',
        `import { allTools } from '../../tools/index.js';\n${use('allTools')}`,
        'store must not import tools',
      ],
      [
        'src/store/x.ts',
        `import { allStrategies } from '../../strategies/index.js';\n${use('allStrategies')}`,
        'store must not import strategies',
      ],
      [
        'src/store/x.ts',
        `import { prompt } from '../prompts/types.js';\n${use('prompt')}`,
        'store must not import prompts',
      ],
      [
        'src/executors/x.ts',
        `import { store } from '../store/store.js';\n${use('store')}`,
        'executors must not import store',
      ],
      [
        'src/scheduler/x.ts',
        `import { runExperiment } from '../services/experiments.js';\n${use('runExperiment')}`,
        'scheduler must not import services',
      ],
      [
        'src/scheduler/sub/x.ts',
        `import type { ServiceDeps } from '../../services/deps.js';\nexport type D = ServiceDeps;\n`,
        'scheduler must not import services',
      ],
      [
        'src/scheduler/x.ts',
        `import { createLlm } from '../llm/llm-provider.js';\n${use('createLlm')}`,
        'scheduler must not import llm',
      ],
      [
        'src/reward/x.ts',
        `import { readArtifact } from '../store/artifacts.js';\n${use('readArtifact')}`,
        'reward must not import values from store',
      ],
      [
        'src/ideation/x.ts',
        `import { plan } from '../implementer/implementer.js';\n${use('plan')}`,
        'ideation must not import implementer',
      ],
      [
        'src/ideation/prompts/x.ts',
        `import { plan } from '../../implementer/implementer.js';\n${use('plan')}`,
        'ideation must not import implementer',
      ],
      [
        'src/implementer/x.ts',
        `import { store } from '../store/store.js';\n${use('store')}`,
        'implementer must not import store',
      ],
      [
        'src/services/x.ts',
        `import { startSearch } from '../search/search-runner.js';\n${use('startSearch')}`,
        'services must not import search',
      ],
      [
        'src/services/x.ts',
        `import { rollout } from '../../rl/loop.js';\n${use('rollout')}`,
        'services must not import rl',
      ],
      [
        'src/search/x.ts',
        `import { isEnded } from '../scheduler/scheduler.js';\n${use('isEnded')}`,
        'search must not import scheduler',
      ],
      [
        'src/http/x.ts',
        `import { allTools } from '../../tools/index.js';\n${use('allTools')}`,
        'http must not import tools',
      ],
      [
        'src/mcp/x.ts',
        `import { startHttp } from '../http/serve.js';\n${use('startHttp')}`,
        'mcp must not import http',
      ],
      ['src/mcp/x.ts', `import { text } from '../../tools/text.js';\n${use('text')}`, 'mcp must not import tools'],
      [
        'src/server.ts',
        `import { evolutionary } from '../strategies/evolutionary.js';\n${use('evolutionary')}`,
        'server must not import strategies',
      ],
      ['src/server.ts', `import { main } from './cli.js';\n${use('main')}`, 'server must not import cli'],
      [
        'src/cli/x.ts',
        `import { allTools } from '../../tools/index.js';\n${use('allTools')}`,
        'cli must not import tools',
      ],
      [
        'strategies/x.ts',
        `import type { Store } from '../src/store/store.js';\nexport type S = Store;\n`,
        'strategies must not import store',
      ],
      [
        'strategies/x.ts',
        `import { SearchContext } from '../src/search/search-context.js';\n${use('SearchContext')}`,
        'only types from search/search-context.js',
      ],
      [
        'src/reward/x.ts',
        `import { type Store } from '../store/store.js';\nexport type S = Store;\n`,
        'top-level type qualifier',
      ],
      [
        'strategies/x.ts',
        `import type { Runner } from '../src/search/search-runner.js';\nexport type R = Runner;\n`,
        'strategies must not import search',
      ],
      ['tools/x.ts', `import { store } from '../src/store/store.js';\n${use('store')}`, 'tools must not import store'],
      [
        'tools/x.ts',
        `import { evolutionary } from '../strategies/evolutionary.js';\n${use('evolutionary')}`,
        'tools must not import strategies',
      ],
      [
        'tools/x.ts',
        `import { mcp } from '../src/mcp/create-mcp-server.js';\n${use('mcp')}`,
        'tools must not import mcp',
      ],
      [
        'rl/x.ts',
        `import { docker } from '../src/executors/docker.js';\n${use('docker')}`,
        'rl must not import executors',
      ],
      [
        'rl/sim/x.ts',
        `import { startMcp } from '../../src/mcp/stdio-server.js';\n${use('startMcp')}`,
        'rl must not import mcp',
      ],
      ['rl/x.ts', `import { allTools } from '../tools/index.js';\n${use('allTools')}`, 'rl must not import tools'],
    ]),
  )('$file: $expected', async ({ file, code, expected }) => {
    expect((await violations(file, code)).join('\n')).toContain(expected);
  });

  it.each(
    failing([
      ['src/llm/x.ts', `import OpenAI from 'openai';\n${use('OpenAI')}`, 'openai is confined to src/llm/openai.ts'],
      ['src/services/x.ts', `import { Hono } from 'hono';\n${use('Hono')}`, 'hono is confined to src/http/'],
      [
        'src/cli/x.ts',
        `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\n${use('McpServer')}`,
        'confined to src/mcp/',
      ],
    ]),
  )('vendor: $file: $expected', async ({ file, code, expected }) => {
    expect((await violations(file, code)).join('\n')).toContain(expected);
  });

  it.each(
    failing([
      [
        'src/executors/x.ts',
        `export const host = process.env.DOCKER_HOST;\n`,
        'process.env is read only in src/config',
      ],
      ['src/cli/x.ts', `export const env = process.env;\n`, 'process.env is read only in src/config'],
      [
        'tools/x.ts',
        `const { env } = process;\nexport const home = env.HOME;\n`,
        'process.env is read only in src/config',
      ],
      [
        'src/edits/x.ts',
        `import { env } from 'node:process';\nexport const home = env.HOME;\n`,
        'use the global process.env',
      ],
      ['src/cli/x.ts', `export const stop = (): never => process.exit(130);\n`, 'only src/cli.ts exits the process'],
      ['src/config/x.ts', `export const stop = (): never => process.exit(1);\n`, 'only src/cli.ts exits the process'],
    ]),
  )('process: $file: $expected', async ({ file, code, expected }) => {
    expect((await violations(file, code)).join('\n')).toContain(expected);
  });

  it('a file in a folder missing from the layer table fails', async () => {
    expect((await violations('src/brand-new/x.ts', `export const x = 1;\n`)).join('\n')).toContain(
      'in no module of the layer table',
    );
    expect((await violations('src/loose.ts', `export const x = 1;\n`)).join('\n')).toContain(
      'in no module of the layer table',
    );
  });

  it('an import cycle fails, on each file of it', async () => {
    const results = await withCycles.lintFiles(['test/fixtures/lint/cycle/*.ts']);
    const reported = results
      .filter((r) => r.messages.some((m) => m.ruleId === 'import-x/no-cycle'))
      .map((r) => r.filePath.slice(root.length + 1))
      .sort();
    expect(reported).toEqual(['test/fixtures/lint/cycle/a.ts', 'test/fixtures/lint/cycle/b.ts']);
  });
});

describe('layer boundaries: allowed imports pass', () => {
  it.each(
    allowed([
      ['src/util/x.ts', `import { ResearchError } from '../domain/errors.js';\n${use('ResearchError')}`],
      [
        'src/llm/x.ts',
        `import { ResearchError } from '../domain/errors.js';\nimport type { LlmConfig } from '../config/llm-schema.js';\nexport const e = ResearchError;\nexport type C = LlmConfig;\n`,
      ],
      ['src/llm/openai.ts', `import OpenAI from 'openai';\n${use('OpenAI')}`],
      [
        'src/executors/x.ts',
        `import type { Manifest } from '../environments/manifest.js';\nimport { loadConfig } from '../config/load-config.js';\nexport type M = Manifest;\n${use('loadConfig')}`,
      ],
      ['src/prompts/x.ts', `import type { Manifest } from '../environments/manifest.js';\nexport type M = Manifest;\n`],
      [
        'src/ideation/x.ts',
        `import { seed } from './prompts/seed.js';\nimport { p } from '../prompts/types.js';\nimport { llm } from '../llm/llm-provider.js';\nexport const all = [seed, p, llm];\n`,
      ],
      [
        'src/ideation/prompts/x.ts',
        `import type { Manifest } from '../../environments/manifest.js';\nimport { common } from '../../prompts/code-listing.js';\nimport { moves } from '../knob-moves.js';\nimport { explore } from '../prompts/explore.js';\nexport type M = Manifest;\nexport const all = [common, moves, explore];\n`,
      ],
      [
        'src/implementer/x.ts',
        `import { applyEdit } from '../edits/apply-edit.js';\nimport { workspace } from '../environments/workspace.js';\nexport const all = [applyEdit, workspace];\n`,
      ],
      [
        'src/reward/x.ts',
        `import type { Store } from '../store/store.js';\nimport type { Manifest } from '../environments/manifest.js';\nexport type S = [Store, Manifest];\n`,
      ],
      [
        'src/scheduler/x.ts',
        `import { computeReward } from '../reward/compute-reward.js';\nimport type { Store } from '../store/store.js';\nimport type { Executor } from '../executors/executor.js';\nexport const r = computeReward;\nexport type S = [Store, Executor];\n`,
      ],
      [
        'src/services/x.ts',
        `import { implement } from '../implementer/implementer.js';\nimport { ideate } from '../ideation/ideator.js';\nimport { dispatch } from '../scheduler/scheduler.js';\nexport const all = [implement, ideate, dispatch];\n`,
      ],
      [
        'src/search/x.ts',
        `import { runExperiment } from '../services/experiments.js';\nimport type { Store } from '../store/store.js';\nexport const r = runExperiment;\nexport type S = Store;\n`,
      ],
      [
        'src/mcp/x.ts',
        `import { allTools } from '../../tools/index.js';\nimport type { ToolDefinition } from '../../tools/define-tool.js';\nimport { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\nexport const all = [allTools, McpServer];\nexport type T = ToolDefinition;\n`,
      ],
      [
        'src/http/x.ts',
        `import type { McpHttpHandler } from '../mcp/http-sessions.js';\nimport { Hono } from 'hono';\nexport const h = Hono;\nexport type H = McpHttpHandler;\n`,
      ],
      [
        'src/roles/x.ts',
        `import { ideator } from '../ideation/llm-ideator.js';\nimport { implementer } from '../implementer/llm-implementer.js';\nimport { openai } from '../llm/openai.js';\nexport const all = [ideator, implementer, openai];\n`,
      ],
      [
        'src/server.ts',
        `import { allStrategies } from '../strategies/index.js';\nimport { createRoles } from './roles/create-roles.js';\nexport const all = [allStrategies, createRoles];\n`,
      ],
      [
        'src/cli/x.ts',
        `import { createServer } from '../server.js';\nimport { serve } from '../http/serve.js';\nimport { stdio } from '../mcp/stdio-server.js';\nexport const all = [createServer, serve, stdio];\n`,
      ],
      [
        'src/cli.ts',
        `import { run } from './cli/command.js';\nrun(process.env, (code: number) => process.exit(code));\n`,
      ],
      ['src/config/x.ts', `export const home = process.env.HOME;\n`],
      [
        'strategies/x.ts',
        `import type { SearchContext } from '../src/search/search-context.js';\nimport { ResearchError } from '../src/domain/errors.js';\nexport type C = SearchContext;\n${use('ResearchError')}`,
      ],
      [
        'tools/x.ts',
        `import { rewardOutput } from '../src/services/views.js';\nimport { ResearchError } from '../src/domain/errors.js';\nexport const all = [rewardOutput, ResearchError];\n`,
      ],
      [
        'rl/x.ts',
        `import { propose } from '../src/services/ideas.js';\nimport type { Store } from '../src/store/store.js';\nimport { parseIdeas } from '../src/ideation/parse-ideas.js';\nexport const all = [propose, parseIdeas];\nexport type S = Store;\n`,
      ],
      ['rl/sim/x.ts', `import { createRandom } from '../../src/util/random.js';\n${use('createRandom')}`],
      [
        'test/unit/x.test.ts',
        `import { allTools } from '../../tools/index.js';\nimport OpenAI from 'openai';\nexport const all = [allTools, OpenAI, process.env.HOME];\n`,
      ],
    ]),
  )('$file ($imports, …)', async ({ file, code }) => {
    expect(await violations(file, code)).toEqual([]);
  });

  it('a type-only import does not make a cycle', async () => {
    const [result] = await withCycles.lintFiles(['test/fixtures/lint/cycle/type-only.ts']);
    expect(result?.messages.filter((m) => m.ruleId === 'import-x/no-cycle')).toEqual([]);
  });
});
