// Lint: typescript-eslint with type information, plus the module boundaries of aesthetics.md §6.2.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Each vendor package may be imported only from its adapter. */
const vendors = {
  '@modelcontextprotocol/sdk': 'src/mcp/',
  hono: 'src/http/',
  '@hono/node-server': 'src/http/',
  openai: 'src/llm/openai.ts',
  '@anthropic-ai/sdk': 'src/llm/anthropic.ts',
  dockerode: 'src/executors/docker.ts',
  lowdb: 'src/store/lowdb-store.ts',
  diff: 'src/edits/canonical-diff.ts',
  bree: 'src/search/',
};

const vendorPatterns = (except) =>
  Object.entries(vendors)
    .filter(([, owner]) => owner !== except)
    .map(([name, owner]) => ({ group: [name, `${name}/*`], message: `${name} is confined to ${owner}` }));

/** Internal modules a layer must not import (relative paths resolved from the layer's files). */
const layers = [
  {
    files: ['src/domain/**', 'src/util/**'],
    forbid: [
      'config',
      'store',
      'environments',
      'executors',
      'edits',
      'llm',
      'scheduler',
      'reward',
      'services',
      'search',
      'mcp',
      'http',
      'cli',
    ],
  },
  {
    files: ['src/config/**'],
    forbid: [
      'store',
      'environments',
      'executors',
      'edits',
      'llm',
      'scheduler',
      'reward',
      'services',
      'search',
      'mcp',
      'http',
      'cli',
    ],
  },
  {
    files: ['src/store/**'],
    forbid: [
      'environments',
      'executors',
      'edits',
      'llm',
      'scheduler',
      'reward',
      'services',
      'search',
      'mcp',
      'http',
      'cli',
    ],
  },
  {
    files: ['src/executors/**'],
    forbid: ['store', 'edits', 'llm', 'scheduler', 'reward', 'services', 'search', 'mcp', 'http', 'cli'],
  },
  {
    files: ['src/environments/**'],
    forbid: ['store', 'executors', 'edits', 'llm', 'scheduler', 'reward', 'services', 'search', 'mcp', 'http', 'cli'],
  },
  {
    files: ['src/edits/**'],
    forbid: [
      'store',
      'executors',
      'environments',
      'llm',
      'scheduler',
      'reward',
      'services',
      'search',
      'mcp',
      'http',
      'cli',
    ],
  },
  {
    files: ['src/llm/**'],
    forbid: ['store', 'executors', 'edits', 'scheduler', 'reward', 'services', 'search', 'mcp', 'http', 'cli'],
  },
  {
    files: ['src/reward/**'],
    forbid: ['store', 'executors', 'edits', 'llm', 'scheduler', 'services', 'search', 'mcp', 'http', 'cli'],
  },
  { files: ['src/scheduler/**'], forbid: ['edits', 'llm', 'services', 'search', 'mcp', 'http', 'cli'] },
  { files: ['src/services/**'], forbid: ['search', 'mcp', 'http', 'cli'] },
  { files: ['src/search/**'], forbid: ['mcp', 'http', 'cli'] },
  { files: ['src/mcp/**'], forbid: ['http', 'cli'] },
  { files: ['src/http/**'], forbid: ['cli'] },
];

const layerPatterns = (forbid) =>
  forbid.map((name) => ({
    group: [`../${name}/*`, `../../${name}/*`, `./${name}/*`],
    message: `this layer must not import src/${name} (aesthetics.md §6.2)`,
  }));

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'environments/**', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: vendorPatterns() }],
    },
  },
  ...layers.map(({ files, forbid }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [...vendorPatterns(), ...layerPatterns(forbid)] }] },
  })),
  // Each vendor's owner may import it, and still obeys its layer.
  ...Object.values(vendors).map((owner) => {
    const layer = layers.find(({ files }) => files.some((glob) => owner.startsWith(glob.replace('**', ''))));
    return {
      files: [owner.endsWith('/') ? `${owner}**` : owner],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [...vendorPatterns(owner), ...layerPatterns(layer?.forbid ?? [])] },
        ],
      },
    };
  }),
  {
    files: ['strategies/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...vendorPatterns(),
            {
              group: [
                '../src/*',
                '!../src/search',
                '../src/search/*',
                '!../src/search/search-context.js',
                '!../src/domain',
                '!../src/util',
              ],
              message: 'strategies see only the SearchContext, domain and util',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tools/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...vendorPatterns(),
            {
              group: ['../src/*/*', '!../src/domain/*', '!../src/services/*', '../src/server.js', '../src/cli.js'],
              message: 'tools see only the services (through their ToolContext), domain and zod (aesthetics.md §6.2)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**', 'src/cli.ts', 'src/cli/**'],
    rules: { 'no-console': 'off', 'no-restricted-imports': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
