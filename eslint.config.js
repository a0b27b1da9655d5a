// Lint: typescript-eslint with type information, plus the module boundaries of ARCHITECTURE.md, "Layers".
import path from 'node:path';
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const SEE = 'See ARCHITECTURE.md, "Layers".';

/**
 * The layers, lowest first; each row is one layer and names its modules (folder `src/<name>` unless `path` says
 * otherwise). By default a module may import every module of the rows below it, and nothing in its own row or
 * above. Per module:
 *   only   narrows that default to these modules of lower rows;
 *   types  modules it may import with `import type` only (below it or beside it);
 *   also   explicit exceptions it may import as values (a sibling, or a plug-in);
 *   plugin a module that nothing imports unless it names the module (or one file of it) in `also` or `types`.
 * An entry `name/file.js` allows that one file of a module. Every folder under src/ must appear here.
 */
const layers = [
  ['core', { domain: {} }],
  ['core', { util: {} }],
  ['config', { config: {} }],
  [
    'adapters',
    {
      store: {},
      environments: {},
      executors: { types: ['environments'] },
      edits: {},
      llm: { only: ['domain', 'util'], types: ['config'] },
      prompts: { only: ['domain'], types: ['environments'] },
    },
  ],
  [
    'engines',
    {
      ideation: { only: ['domain', 'util', 'config', 'environments', 'llm', 'prompts'] },
      implementer: { only: ['domain', 'util', 'config', 'environments', 'edits', 'llm', 'prompts'] },
      reward: { only: ['domain', 'util', 'config', 'environments'], types: ['store'] },
      scheduler: { only: ['domain', 'util', 'config', 'environments', 'executors', 'store'], also: ['reward'] },
    },
  ],
  ['use cases', { services: {} }],
  ['search', { search: { only: ['domain', 'util', 'config', 'environments', 'services'], types: ['store'] } }],
  [
    'plug-ins',
    {
      tools: { path: 'tools', plugin: true, only: ['domain', 'util', 'services'], also: ['strategies/index.js'] },
      strategies: { path: 'strategies', plugin: true, only: ['domain', 'util'], types: ['search/search-context.js'] },
      rl: {
        path: 'rl',
        plugin: true,
        only: ['domain', 'util', 'services', 'search'],
        also: ['ideation/parse-ideas.js', 'store/artifacts.js'],
        types: ['store', 'llm', 'ideation'],
      },
    },
  ],
  [
    'protocol adapters',
    {
      mcp: {
        only: ['domain', 'util', 'config', 'llm', 'services'],
        also: ['tools/index.js'],
        types: ['tools/define-tool.js'],
      },
      http: { only: ['domain', 'util', 'config', 'services'], types: ['mcp'] },
    },
  ],
  ['composition root', { roles: { only: ['domain', 'util', 'config', 'llm', 'ideation', 'implementer'] } }],
  ['composition root', { server: { path: 'src/server.ts', also: ['strategies/index.js'] } }],
  ['composition root', { cli: { path: ['src/cli.ts', 'src/cli'], also: ['rl'] } }],
];

/** Each vendor package may be imported only from its adapter (a folder ending in `/`, a file, or a file glob). */
const vendors = {
  '@modelcontextprotocol/sdk': 'src/mcp/',
  '@modelcontextprotocol/ext-apps': 'src/mcp/',
  hono: 'src/http/',
  '@hono/node-server': 'src/http/',
  openai: 'src/llm/openai.ts',
  '@anthropic-ai/sdk': 'src/llm/anthropic.ts',
  dockerode: 'src/executors/docker.ts',
  lowdb: 'src/store/lowdb-store.ts',
  diff: 'src/edits/canonical-diff.ts',
  bree: 'src/search/',
};

/** Files deeper than this below a module folder are reported (the generated patterns stop here). */
const MAX_DEPTH = 4;

// ---- The layer table, resolved ----

const modules = layers.flatMap(([layer, row], rank) =>
  Object.entries(row).map(([name, spec]) => ({
    name,
    layer,
    rank,
    paths: [spec.path ?? `src/${name}`].flat(),
    plugin: spec.plugin ?? false,
    spec,
  })),
);
const byName = new Map(modules.map((m) => [m.name, m]));

/** `name` or `name/file.js` → { module, file }; throws on a name missing from the table. */
const entry = (text) => {
  const [name, ...rest] = text.split('/');
  if (!byName.has(name)) throw new Error(`eslint.config.js: layer table names unknown module "${name}"`);
  return { module: name, file: rest.length > 0 ? rest.join('/') : undefined };
};

/** What module `m` may import: values (whole modules or single files) and types. */
const allowed = (m) => {
  const below = modules.filter((t) => t.rank < m.rank && !t.plugin).map((t) => t.name);
  const values = [...(m.spec.only ?? below), ...(m.spec.also ?? [])].map(entry);
  const types = (m.spec.types ?? []).map(entry);
  return { values, types };
};

const describe = (m) => {
  const { values, types } = allowed(m);
  const list = (xs) => xs.map(({ module, file }) => (file ? `${module}/${file}` : module)).join(', ');
  return `${m.name} may import ${list(values) || 'no other module'}${types.length ? `; types only from ${list(types)}` : ''}`;
};

/** Relative import specifiers of module `t` (its files and folders) as seen from directory `dir`. */
const targetGlobs = (dir, t, file) =>
  t.paths.flatMap((p) => {
    let rel = path.posix.relative(dir, p);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    if (p.endsWith('.ts')) return file ? [] : [rel.replace(/\.ts$/, '.js')];
    return [file ? `${rel}/${file}` : `${rel}/*`];
  });

/** no-restricted-imports patterns for a file of module `m` that lives in directory `dir`. */
const layerPatterns = (m, dir) => {
  const { values, types } = allowed(m);
  const patterns = [];
  for (const t of modules) {
    if (t === m) continue;
    const valueEntries = values.filter((e) => e.module === t.name);
    const typeEntries = types.filter((e) => e.module === t.name);
    if (valueEntries.some((e) => !e.file)) continue;
    const typesOnly = typeEntries.some((e) => !e.file);
    const exempt = [...valueEntries, ...(typesOnly ? [] : typeEntries)].flatMap((e) => targetGlobs(dir, t, e.file));
    patterns.push({
      group: [...targetGlobs(dir, t), ...exempt.map((g) => `!${g}`)],
      allowTypeImports: typesOnly,
      message: `${m.name} must not import ${typesOnly ? 'values from ' : ''}${t.name} (${describe(m)}). ${SEE}`,
    });
    for (const e of typesOnly ? [] : typeEntries) {
      patterns.push({
        group: targetGlobs(dir, t, e.file),
        allowTypeImports: true,
        message: `${m.name} may import only types from ${t.name}/${e.file} (use import type). ${SEE}`,
      });
    }
  }
  return patterns;
};

const vendorPatterns = (owner) =>
  Object.entries(vendors)
    .filter(([, o]) => o !== owner)
    .map(([name, o]) => ({ group: [name, `${name}/*`], message: `${name} is confined to ${o}. ${SEE}` }));

const processImports = ['node:process', 'process'].map((name) => ({
  name,
  importNames: ['env', 'exit'],
  message: `use the global process.env / process.exit, where allowed (src/config, src/cli.ts). ${SEE}`,
}));

const restrictImports = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { paths: processImports, patterns }],
});

/** The file globs of module `m`, each with the directory its files live in (placeholders below the folder). */
const fileGlobs = (m) =>
  m.paths.flatMap((p) =>
    p.endsWith('.ts')
      ? [{ glob: p, dir: path.posix.dirname(p) }]
      : Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
          glob: `${p}/${'*/'.repeat(depth)}*.ts`,
          dir: [p, ...Array.from({ length: depth }, (_, i) => `_${i}`)].join('/'),
        })),
  );

const layerBlocks = modules.flatMap((m) => {
  const folderOwner = Object.values(vendors).find((o) => o.endsWith('/') && m.paths.includes(o.slice(0, -1)));
  const blocks = fileGlobs(m).map(({ glob, dir }) => ({
    files: [glob],
    rules: restrictImports([...vendorPatterns(folderOwner), ...layerPatterns(m, dir)]),
  }));
  // A vendor's owning file (or glob) may import it, and still obeys its layer.
  const fileOwners = [...new Set(Object.values(vendors))].filter(
    (o) => !o.endsWith('/') && m.paths.some((p) => o.startsWith(`${p}/`)),
  );
  for (const owner of fileOwners) {
    blocks.push({
      files: [owner],
      rules: restrictImports([...vendorPatterns(owner), ...layerPatterns(m, path.posix.dirname(owner))]),
    });
  }
  return blocks;
});

// ---- A file under src/ that no module of the table covers is an error, so a new folder cannot be forgotten ----
// (no-restricted-syntax is used for nothing else: a module's files turn it off.)

const report = (message) => ({ 'no-restricted-syntax': ['error', { selector: 'Program', message }] });
const coverageBlocks = [
  { files: ['src/**/*.ts'], rules: report(`this file is in no module of the layer table in eslint.config.js. ${SEE}`) },
  ...modules.flatMap((m) =>
    m.paths.map((p) => ({
      files: [p.endsWith('.ts') ? p : `${p}/**/*.ts`],
      rules: { 'no-restricted-syntax': 'off' },
    })),
  ),
  ...modules.flatMap((m) =>
    m.paths
      .filter((p) => !p.endsWith('.ts'))
      .map((p) => ({
        files: [`${p}/${'*/'.repeat(MAX_DEPTH + 1)}**/*.ts`],
        rules: report(`nested deeper than the layer rules reach (MAX_DEPTH in eslint.config.js). ${SEE}`),
      })),
  ),
];

// ---- process.env only in src/config (and the entry point), process.exit only in src/cli.ts ----

const processProperty = (property, message) => ({ object: 'process', property, message: `${message} ${SEE}` });
const ENV = processProperty('env', 'process.env is read only in src/config; take the value from config.');
const EXIT = processProperty('exit', 'only src/cli.ts exits the process; throw, or set process.exitCode.');

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'environments/**', '**/*.py', 'test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // `import { type A }` still loads the module at runtime (verbatimModuleSyntax); the layer rules' "types only"
      // exceptions and the cycle check count only `import type { A }`.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-imports': 'off',
      ...restrictImports(vendorPatterns()),
      // Value imports only: `import type` cycles are erased at compile time.
      'import-x/no-cycle': 'error',
    },
  },
  ...layerBlocks,
  ...coverageBlocks,
  {
    files: ['src/**/*.ts', 'tools/**/*.ts', 'strategies/**/*.ts', 'rl/**/*.ts'],
    rules: { 'no-restricted-properties': ['error', ENV, EXIT] },
  },
  { files: ['src/config/**/*.ts'], rules: { 'no-restricted-properties': ['error', EXIT] } },
  { files: ['src/cli.ts'], rules: { 'no-restricted-properties': 'off' } },
  {
    files: ['test/**', 'src/cli.ts', 'src/cli/**'],
    rules: { 'no-console': 'off' },
  },
  { files: ['test/**'], rules: { '@typescript-eslint/no-restricted-imports': 'off' } },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
