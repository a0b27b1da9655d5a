// Resolve settings once: defaults < config file < environment variables < CLI flags.
// With host-env.ts, the only module that reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

import { ResearchError } from '../domain/errors.js';
import { llmFromEnv } from './llm-env.js';
import type { LlmConfigInput } from './llm-schema.js';
import { Config } from './schema.js';

export type ConfigOverrides = Partial<Omit<Config, 'scheduler' | 'executor' | 'preflight' | 'http' | 'llm'>> & {
  scheduler?: Partial<Config['scheduler']>;
  executor?: Partial<Config['executor']>;
  preflight?: Partial<Config['preflight']>;
  http?: Partial<Config['http']>;
  llm?: LlmConfigInput;
};

/** The repository's own `environments/` folder (next to dist/ or src/). */
export function bundledEnvironmentsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'environments')) && existsSync(join(dir, 'package.json'))) {
      return join(dir, 'environments');
    }
    dir = dirname(dir);
  }
  return resolve('environments');
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ResearchError('config_invalid', `cannot read config file ${path}: ${String(error)}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    const data = parsed as Record<string, unknown>;
    // Paths in a config file are relative to the file.
    const base = dirname(path);
    if (typeof data.home === 'string') data.home = resolve(base, data.home);
    if (Array.isArray(data.environmentDirs)) {
      data.environmentDirs = data.environmentDirs.map((dir) => (typeof dir === 'string' ? resolve(base, dir) : dir));
    }
    const roots = (data.environments as { allowedRoots?: unknown } | undefined)?.allowedRoots;
    if (Array.isArray(roots)) {
      (data.environments as { allowedRoots: unknown[] }).allowedRoots = roots.map((root) =>
        typeof root === 'string' && !root.startsWith('~') ? resolve(base, root) : root,
      );
    }
    return data;
  } catch (error) {
    throw new ResearchError('config_invalid', `config file ${path} is not a JSON object: ${String(error)}`);
  }
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.GROUNDWORK_HOME) out.home = resolve(env.GROUNDWORK_HOME);
  if (env.GROUNDWORK_ENVIRONMENTS)
    out.environmentDirs = env.GROUNDWORK_ENVIRONMENTS.split(':').map((dir) => resolve(dir));
  if (env.GROUNDWORK_PYTHON) out.python = [env.GROUNDWORK_PYTHON];
  if (env.GROUNDWORK_LOG_LEVEL) out.logLevel = env.GROUNDWORK_LOG_LEVEL;
  const scheduler: Record<string, unknown> = {};
  if (env.GROUNDWORK_CONCURRENCY) scheduler.concurrency = Number(env.GROUNDWORK_CONCURRENCY);
  if (Object.keys(scheduler).length > 0) out.scheduler = scheduler;
  const executor: Record<string, unknown> = {};
  if (env.GROUNDWORK_ISOLATE_NETWORK) executor.isolateNetwork = env.GROUNDWORK_ISOLATE_NETWORK;
  if (env.GROUNDWORK_SANDBOX) executor.local = { sandbox: env.GROUNDWORK_SANDBOX };
  if (Object.keys(executor).length > 0) out.executor = executor;
  if (env.GROUNDWORK_TOKEN) out.http = { token: env.GROUNDWORK_TOKEN };
  const llm = llmFromEnv(env);
  if (Object.keys(llm).length > 0) out.llm = llm;
  return out;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    if (isPlainObject(current) && isPlainObject(value)) out[key] = merge(current, value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; otherwise `$GROUNDWORK_CONFIG`, then `<home>/config.json` if present; null: none. */
  configFile?: string | null;
  overrides?: ConfigOverrides;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const defaults: Record<string, unknown> = {
    home: join(homedir(), '.groundwork'),
    environmentDirs: [bundledEnvironmentsDir()],
    python: ['python3', '/usr/bin/python3'],
    jobEnv: { PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
  };
  const fromEnvironment = fromEnv(env);
  const home = (options.overrides?.home ?? fromEnvironment.home ?? defaults.home) as string;
  const file =
    options.configFile === null
      ? undefined
      : (options.configFile ?? env.GROUNDWORK_CONFIG ?? join(home, 'config.json'));
  const explicit = options.configFile !== undefined || env.GROUNDWORK_CONFIG !== undefined;
  const fromFile = file !== undefined && (explicit || existsSync(file)) ? readConfigFile(file) : {};
  const merged = merge(
    merge(merge(defaults, fromFile), fromEnvironment),
    (options.overrides ?? {}) as Record<string, unknown>,
  );
  // This machine's PATH means nothing inside an image or on a cluster node: there the job keeps the image's or the
  // node's own PATH, unless the configuration names one.
  const kind = (merged.executor as { kind?: string } | undefined)?.kind;
  const pathConfigured = [fromFile, options.overrides ?? {}].some(
    (source) => (source as { jobEnv?: { PATH?: unknown } }).jobEnv?.PATH !== undefined,
  );
  if (kind && kind !== 'local' && !pathConfigured) delete (merged.jobEnv as Record<string, unknown>).PATH;
  const parsed = Config.safeParse(merged);
  if (!parsed.success) {
    throw new ResearchError('config_invalid', `invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
