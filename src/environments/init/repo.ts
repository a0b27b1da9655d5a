// Look at the user's repository without changing it: its files (tracked ones only in a git checkout), HEAD, status.
import { execFile } from 'node:child_process';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';

import { gitEnv } from '../../config/git-env.js';
import { ResearchError } from '../../domain/errors.js';

const run = promisify(execFile);

/** Folders never taken from a repository that is not a git checkout. */
const SKIP = new Set([
  '.git',
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  '.ipynb_checkpoints',
  '.mypy_cache',
  '.pytest_cache',
  '.tox',
  '.ruff_cache',
]);

export interface RepoInfo {
  /** Real absolute path of the folder the environment is made from. */
  path: string;
  git: boolean;
  /** Path of `path` inside the git work tree ('' at its top). */
  subdir: string;
  commit?: string;
  branch?: string;
  /** Files (relative POSIX paths) an environment may take: tracked regular files in a git checkout, else every file. */
  files: string[];
  /** Tracked files left out (symlinks, submodules), with why. */
  skipped: string[];
  /** Tracked files with uncommitted changes. */
  dirty: string[];
}

/** Runs git in `cwd`; undefined when it fails (not a repository, no commits yet). */
export async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    // No optional locks: `git status` must not even refresh the repository's index.
    const { stdout } = await run('git', ['-C', cwd, ...args], {
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8',
      env: gitEnv({ GIT_OPTIONAL_LOCKS: '0' }),
    });
    return stdout;
  } catch {
    return undefined;
  }
}

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  await visit(root);
  return out.sort();
}

async function tracked(root: string): Promise<{ files: string[]; skipped: string[] }> {
  const listed = ((await git(root, ['ls-files', '-z', '--cached'])) ?? '').split('\0').filter(Boolean);
  const files: string[] = [];
  const skipped: string[] = [];
  for (const path of [...new Set(listed)].sort()) {
    const info = await lstat(join(root, path)).catch(() => undefined);
    if (info?.isFile()) files.push(path);
    else if (info?.isSymbolicLink()) skipped.push(`${path} (a symlink)`);
    else if (info?.isDirectory()) skipped.push(`${path} (a submodule)`);
  }
  return { files, skipped };
}

/** Reads what an environment needs to know of the folder at `path`; throws `bad_input` when it is not a folder. */
export async function inspectRepo(path: string): Promise<RepoInfo> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ResearchError('bad_input', `${path} does not exist; give the folder of your training code`);
  if (!info.isDirectory()) throw new ResearchError('bad_input', `${path} is a file; give the folder that holds it`);
  const root = await realpath(path);
  const top = (await git(root, ['rev-parse', '--show-toplevel']))?.trim();
  if (!top) return { path: root, git: false, subdir: '', files: await walk(root), skipped: [], dirty: [] };
  const { files, skipped } = await tracked(root);
  const commit = (await git(root, ['rev-parse', '--verify', '-q', 'HEAD']))?.trim() || undefined;
  const branch = (await git(root, ['symbolic-ref', '-q', '--short', 'HEAD']))?.trim() || undefined;
  const status = (await git(root, ['status', '--porcelain', '-z', '--untracked-files=no', '--', '.'])) ?? '';
  const topReal = await realpath(top);
  const dirty = status
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) =>
      relative(root, join(topReal, entry.slice(3)))
        .split(sep)
        .join('/'),
    );
  return {
    path: root,
    git: true,
    subdir: relative(topReal, root).split(sep).join('/'),
    ...(commit ? { commit } : {}),
    ...(branch ? { branch } : {}),
    files,
    skipped,
    dirty,
  };
}
