// Use case: make an environment from the user's repository (env init, add_environment), optionally with its history.
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';

import { userEnvironmentsDir } from '../config/environment-roots.js';
import { bundledEnvironmentsDir } from '../config/load-config.js';
import { ResearchError } from '../domain/errors.js';
import { createEnvironment, type CreatedEnvironment } from '../environments/init/create-environment.js';
import type { Ask, InitOptions } from '../environments/init/options.js';
import type { EnvironmentRegistry } from '../environments/registry.js';
import type { Config } from '../config/schema.js';
import type { ServiceDeps } from './deps.js';
import { importResults, readResultsTsv } from './import-results.js';

export interface AddEnvironmentResult extends CreatedEnvironment {
  /** Rows of results.tsv stored as history. */
  imported?: number;
}

export interface AddEnvironmentOptions {
  /** When given, the repository must lie under one of these folders (MCP: allowed roots and the client's roots). */
  allowedRoots?: readonly string[];
  ask?: Ask;
  env?: { PATH?: string };
}

const inside = (path: string, folder: string): boolean => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Throws unless `path` lies under one of `roots` (after resolving symlinks). */
export async function checkAllowed(path: string, roots: readonly string[], what: string): Promise<void> {
  const real = await realpath(path).catch(() => resolve(path));
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => resolve(root))));
  if (realRoots.some((root) => inside(real, root))) return;
  throw new ResearchError(
    'bad_input',
    `${what} ${path} is outside the folders this server may use (${realRoots.length > 0 ? realRoots.join(', ') : 'none allowed'}); add it to "environments": { "allowedRoots": [...] } in the config file, or share it as a root from your MCP client`,
  );
}

/** What creating an environment needs, without the store (the CLI's env init runs with the store closed). */
export function createEnvironmentFrom(
  config: Config,
  environments: EnvironmentRegistry,
  options: InitOptions,
  extra: AddEnvironmentOptions = {},
): Promise<CreatedEnvironment> {
  return createEnvironment({
    options: { ...options, path: resolve(options.path) },
    root: userEnvironmentsDir(config),
    scratch: join(config.home, 'tmp'),
    harnessAssets: join(bundledEnvironmentsDir(), '_byo'),
    existing: async (name) =>
      environments.get(name).then(
        (environment) => environment.dir,
        () => undefined,
      ),
    env: extra.env ?? { PATH: config.jobEnv.PATH },
    ...(extra.ask ? { ask: extra.ask } : {}),
  });
}

export async function addEnvironment(
  deps: ServiceDeps,
  input: InitOptions,
  options: AddEnvironmentOptions = {},
): Promise<AddEnvironmentResult> {
  if (options.allowedRoots) await checkAllowed(resolve(input.path), options.allowedRoots, 'the repository');
  // Read before anything is written, so a bad file leaves no environment behind.
  const history = input.importResults ? await readResultsTsv(resolve(input.path), input.importResults) : undefined;
  const created = await createEnvironmentFrom(deps.config, deps.environments, input, options);
  if (!history) return created;
  const imported = await importResults(deps, created.manifest, history);
  return { ...created, imported };
}
