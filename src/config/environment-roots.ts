// Where environments are found: the configured folders, plus the data directory's own (`env init` writes there).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import type { Config } from './schema.js';

/** `<home>/environments`: environments made from the user's repositories. */
export function userEnvironmentsDir(config: Pick<Config, 'home'>): string {
  return join(config.home, 'environments');
}

/** The folders the environment registry searches, the user's own environments last. */
export function environmentRoots(config: Pick<Config, 'home' | 'environmentDirs'>): string[] {
  return [...new Set([...config.environmentDirs, userEnvironmentsDir(config)])];
}

/** Folders `add_environment` and `export_result` may use, from `environments.allowedRoots` (`~/` expanded). */
export function allowedRoots(config: { environments?: { allowedRoots?: string[] } }): string[] {
  return (config.environments?.allowedRoots ?? []).map((root) =>
    root === '~' || root.startsWith('~/') ? join(homedir(), root.slice(1)) : resolve(root),
  );
}
