// A repository-backed environment (`groundwork env init`): where its code came from and the data it links, not copies.
import { mkdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute } from 'node:path';

import { z } from 'zod';

/** Data a job reads where it lies: a read-only symlink in the workspace (or in the job's home), never a copy. */
export const DataLink = z.object({
  /**
   * Where the link appears, relative to the workspace (`at: workspace`) or to the job's home (`at: home`); data outside
   * both (`at: absolute`) is not linked: the job reads it where it is, read-only.
   */
  path: z.string().min(1),
  at: z.enum(['workspace', 'home', 'absolute']).default('workspace'),
  /** Absolute path of the data on this machine; jobs get it read-only. */
  target: z.string().min(1),
});
export type DataLink = z.infer<typeof DataLink>;

export const Source = z.object({
  /** Absolute path of the user's repository. groundwork never writes to it (export adds a branch, nothing else). */
  path: z.string().min(1),
  /** True when the repository is a git checkout: only its tracked files were taken. */
  git: z.boolean(),
  /** Where `path` lies inside the git work tree ('' at its top): exported paths are prefixed with it. */
  subdir: z.string().default(''),
  /** HEAD when the environment was made: the parent of exported branches. */
  commit: z.string().optional(),
  branch: z.string().optional(),
  /** How the metric is measured: the user's own evaluation command, or read from the training log (self-reported). */
  metricFrom: z.enum(['evaluate', 'log']),
  preset: z.string().optional(),
  data: z.array(DataLink).default([]),
  createdAt: z.string(),
});
export type Source = z.infer<typeof Source>;

/** What this module needs of an environment (kept structural so registry.ts need not import it). */
interface WithSource {
  manifest: { source?: Source | undefined };
}

async function link(root: string, entry: DataLink): Promise<void> {
  const at = join(root, entry.path);
  await mkdir(dirname(at), { recursive: true });
  await symlink(entry.target, at);
}

/** Links the environment's workspace data into a freshly copied workspace. */
export async function linkWorkspaceData(environment: WithSource, workspace: string): Promise<void> {
  for (const entry of environment.manifest.source?.data ?? []) {
    if (entry.at === 'workspace') await link(workspace, entry);
  }
}

/** Links the environment's home data (e.g. `~/.cache/autoresearch`) into a job's fresh home directory. */
export async function linkHomeData(environment: WithSource, home: string): Promise<void> {
  for (const entry of environment.manifest.source?.data ?? []) {
    if (entry.at === 'home') await link(home, entry);
  }
}

/** Workspace data links that training removed or pointed elsewhere (an evaluation would then read other data). */
export async function changedDataLinks(environment: WithSource, workspace: string): Promise<string[]> {
  const changed: string[] = [];
  for (const entry of environment.manifest.source?.data ?? []) {
    if (entry.at !== 'workspace') continue;
    const target = await readlink(join(workspace, entry.path)).catch(() => undefined);
    if (target !== entry.target) changed.push(entry.path);
  }
  return changed;
}

const inside = (path: string, folder: string): boolean => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Paths a job of this environment may only read: the user's repository and its linked data. The repository is left
 * out when the run folder lies inside it (a data directory inside the repository), since binding it read-only would
 * also cover the run's own writable folders.
 */
export function sourceReadOnly(environment: WithSource, runDir: string): string[] {
  const source = environment.manifest.source;
  if (!source) return [];
  const paths = inside(runDir, source.path) ? [] : [source.path];
  for (const entry of source.data) {
    if (!paths.some((path) => inside(entry.target, path)) && !inside(runDir, entry.target)) paths.push(entry.target);
  }
  return paths;
}
