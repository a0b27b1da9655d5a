// `env init`: check everything first, then write the environment (a copy of the code, its harness, the manifest) at once.
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ResearchError } from '../../domain/errors.js';
import { firstMatch } from '../../util/glob.js';
import type { Manifest } from '../manifest.js';
import { underData, resolveData } from './data.js';
import { inferKnobs } from './knobs.js';
import { checkLogPattern, type TextFile } from './log-pattern.js';
import { buildManifest, HARNESS_DIR, harnessFiles } from './manifest-draft.js';
import type { Ask, InitOptions } from './options.js';
import { inspectRepo, type RepoInfo } from './repo.js';
import { resolveInit } from './resolve.js';
import { checkGlobs, evaluationFiles } from './validate.js';

const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_TOTAL_BYTES = 512 * 1024 * 1024;
const TEXT = /\.(py|sh|md|txt|log|rst|cfg|toml|ya?ml|ini)$/i;

export interface CreateEnvironmentInput {
  options: InitOptions;
  /** `<home>/environments`: where the environment folder goes. */
  root: string;
  /** A scratch folder on the same filesystem as `root`. */
  scratch: string;
  /** Folder of the built-in harness scripts (environments/_byo). */
  harnessAssets: string;
  /** Says where an environment of that name already exists, if one does. */
  existing(name: string): Promise<string | undefined>;
  env: { PATH?: string };
  ask?: Ask;
}

export interface CreatedEnvironment {
  dir: string;
  manifest: Manifest;
  /** What was inferred or chosen, for the user. */
  notes: string[];
  warnings: string[];
}

async function sizes(repo: RepoInfo, files: readonly string[]): Promise<void> {
  let total = 0;
  for (const path of files) {
    const size = (await stat(join(repo.path, path))).size;
    total += size;
    if (size > MAX_FILE_BYTES) {
      throw new ResearchError(
        'bad_input',
        `${path} is ${(size / 2 ** 20).toFixed(0)} MiB: large files are not copied into runs; pass --data ${path} to link it read-only instead`,
      );
    }
  }
  if (total > MAX_TOTAL_BYTES) {
    throw new ResearchError(
      'bad_input',
      `the code to copy is ${(total / 2 ** 20).toFixed(0)} MiB; pass the folders that hold data or weights as --data so they are linked, not copied`,
    );
  }
}

/** Text a log-pattern check may read: small text files of the code, and logs lying at the repository's top. */
async function textFiles(repo: RepoInfo, files: readonly string[]): Promise<TextFile[]> {
  const logs = (await readdir(repo.path)).filter((name) => name.endsWith('.log'));
  const out: TextFile[] = [];
  for (const path of [...new Set([...files.filter((file) => TEXT.test(file)), ...logs])]) {
    const info = await stat(join(repo.path, path)).catch(() => undefined);
    if (info && info.isFile() && info.size < 1_000_000)
      out.push({ path, text: await readFile(join(repo.path, path), 'utf8') });
  }
  return out;
}

export async function createEnvironment(input: CreateEnvironmentInput): Promise<CreatedEnvironment> {
  const repo = await inspectRepo(input.options.path);
  const resolved = await resolveInit(input.options, repo, input.env, input.ask);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(resolved.name)) {
    throw new ResearchError(
      'bad_input',
      `--name ${resolved.name}: use lowercase letters, digits and dashes, starting with a letter or digit`,
    );
  }
  const taken = await input.existing(resolved.name);
  if (taken)
    throw new ResearchError(
      'bad_input',
      `an environment named ${resolved.name} already exists (${taken}); pick another --name`,
    );
  const data = await resolveData(resolved.data, repo.path);
  const files = repo.files.filter((path) => underData(path, data) === undefined);
  const clash = files.find((path) => path === 'environment.json' || path.startsWith(`${HARNESS_DIR}/`));
  if (clash)
    throw new ResearchError(
      'bad_input',
      `the repository has its own ${clash}, a name groundwork needs for the environment's own files; this layout is not supported yet`,
    );
  await sizes(repo, files);
  const evaluateFrozen = resolved.evaluate ? evaluationFiles(resolved.evaluate, resolved.editable, files) : [];
  const frozen = [...new Set([...resolved.frozen, ...evaluateFrozen])];
  const warnings = await checkGlobs({ editable: resolved.editable, frozen, files, data });
  const notes = [...resolved.notes];
  if (resolved.pattern !== undefined)
    notes.push(
      `--metric-from-log: ${checkLogPattern(resolved.pattern, resolved.metricGiven ? resolved.metric : undefined, await textFiles(repo, files))}`,
    );
  if (repo.dirty.length > 0)
    warnings.push(
      `uncommitted changes in ${repo.dirty.join(', ')} are part of the environment; commit them before exporting a winner as a branch`,
    );
  for (const skipped of repo.skipped) warnings.push(`not taken: ${skipped}`);
  const editableSources: Record<string, string> = {};
  for (const path of files.filter(
    (file) => file.endsWith('.py') && firstMatch(file, resolved.editable) !== undefined,
  )) {
    if (firstMatch(path, frozen) === undefined) editableSources[path] = await readFile(join(repo.path, path), 'utf8');
  }
  const knobs = inferKnobs(editableSources);
  if (Object.keys(knobs).length > 0)
    notes.push(
      `knobs for the offline ideator: ${Object.values(knobs)
        .map((knob) => knob.variable)
        .join(', ')}`,
    );
  const manifest = buildManifest({
    resolved,
    repo,
    data,
    frozen,
    knobs,
    files,
    python: await pythonModules(repo, files, resolved.command),
  });

  await mkdir(input.scratch, { recursive: true });
  const staging = await mkdtemp(join(input.scratch, `env-init-${resolved.name}-`));
  try {
    for (const path of files) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await copyFile(join(repo.path, path), join(staging, path));
    }
    for (const [name, content] of Object.entries(await harnessFiles(input.harnessAssets, resolved))) {
      await mkdir(join(staging, HARNESS_DIR), { recursive: true });
      await writeFile(join(staging, HARNESS_DIR, name), content);
    }
    await writeFile(join(staging, 'environment.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await chmod(staging, 0o755);
    await mkdir(input.root, { recursive: true });
    const dir = join(input.root, resolved.name);
    await rename(staging, dir).catch((error: NodeJS.ErrnoException) => {
      throw new ResearchError(
        'bad_input',
        `cannot create ${dir} (${error.code ?? error.message}); pick another --name`,
      );
    });
    return { dir, manifest, notes, warnings };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Python modules the code imports that commonly need installing, when the command uses groundwork's interpreter. */
async function pythonModules(repo: RepoInfo, files: readonly string[], command: readonly string[]): Promise<string[]> {
  if (command[0] !== '{python}') return [];
  const known = [
    'numpy',
    'torch',
    'jax',
    'tensorflow',
    'scipy',
    'pandas',
    'sklearn',
    'transformers',
    'datasets',
    'tiktoken',
    'einops',
  ];
  const found = new Set<string>();
  for (const path of files.filter((file) => file.endsWith('.py'))) {
    const text = await readFile(join(repo.path, path), 'utf8').catch(() => '');
    for (const match of text.matchAll(/^\s*(?:import|from)\s+([A-Za-z_][A-Za-z0-9_]*)/gm)) {
      if (known.includes(match[1] as string)) found.add(match[1] as string);
    }
  }
  return [...found].sort();
}
