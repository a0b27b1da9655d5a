// Commit changed files onto a base commit as a new branch with git plumbing: no checkout, index or work tree touched.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { gitEnv } from '../config/git-env.js';
import { ResearchError } from '../domain/errors.js';

export interface GitOptions {
  input?: string;
  env?: Record<string, string>;
}

/** Runs git in `repo`; throws `internal` with git's own message when it fails. */
export function gitIn(repo: string, args: string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repo, ...args], {
      env: gitEnv(options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (error) => reject(new ResearchError('internal', `cannot run git: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new ResearchError('internal', `git ${args[0]} failed in ${repo}: ${err.trim() || `exit ${code}`}`));
    });
    // A git that exits before reading its input must not crash the process with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}

/** A file as it should be in the new commit: its path in the repository, and its content (null: deleted). */
export interface CommitFile {
  path: string;
  content: string | null;
}

export interface TreeEntry {
  mode: string;
  hash: string;
}

/** The blob entry of `path` in `commit`, if it has one. */
export async function treeEntry(repo: string, commit: string, path: string): Promise<TreeEntry | undefined> {
  const line = (await gitIn(repo, ['ls-tree', '-z', commit, '--', path])).split('\0')[0];
  const match = line ? /^(\d+) blob ([0-9a-f]+)\t/.exec(line) : null;
  return match ? { mode: match[1] as string, hash: match[2] as string } : undefined;
}

/** The blob id `content` would have at `path` (the repository's clean filters applied); `write` stores it. */
export async function blobOf(repo: string, path: string, content: string, write = false): Promise<string> {
  return (
    await gitIn(repo, ['hash-object', ...(write ? ['-w'] : []), `--path=${path}`, '--stdin'], { input: content })
  ).trim();
}

async function identity(repo: string): Promise<Record<string, string>> {
  const name = await gitIn(repo, ['config', 'user.name']).catch(() => '');
  const email = await gitIn(repo, ['config', 'user.email']).catch(() => '');
  return {
    ...(name.trim() ? {} : { GIT_AUTHOR_NAME: 'groundwork', GIT_COMMITTER_NAME: 'groundwork' }),
    ...(email.trim() ? {} : { GIT_AUTHOR_EMAIL: 'groundwork@localhost', GIT_COMMITTER_EMAIL: 'groundwork@localhost' }),
  };
}

/**
 * Creates `refs/heads/<branch>` at a new commit whose parent is `base` and whose tree is base's with `files` applied.
 * Uses a temporary index (GIT_INDEX_FILE), so the repository's index, work tree and HEAD stay as they are; refuses to
 * move a branch that exists. Returns the new commit.
 */
export async function commitOnBranch(
  repo: string,
  base: string,
  branch: string,
  files: readonly CommitFile[],
  message: string,
): Promise<string> {
  const exists = await gitIn(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]).then(
    () => true,
    () => false,
  );
  if (exists)
    throw new ResearchError('bad_input', `branch ${branch} already exists in ${repo}; pass --branch with a new name`);
  const scratch = await mkdtemp(join(tmpdir(), 'groundwork-export-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    await gitIn(repo, ['read-tree', base], { env });
    for (const file of files) {
      if (file.content === null) {
        await gitIn(repo, ['update-index', '--force-remove', '--', file.path], { env });
        continue;
      }
      const mode = (await treeEntry(repo, base, file.path))?.mode ?? '100644';
      const blob = await blobOf(repo, file.path, file.content, true);
      await gitIn(repo, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${file.path}`], { env });
    }
    const tree = (await gitIn(repo, ['write-tree'], { env })).trim();
    const commit = (
      await gitIn(repo, ['commit-tree', tree, '-p', base, '-F', '-'], { input: message, env: await identity(repo) })
    ).trim();
    try {
      // The empty old value makes git refuse if the branch already exists.
      await gitIn(repo, ['update-ref', '-m', 'groundwork export', `refs/heads/${branch}`, commit, '']);
    } catch (error) {
      throw new ResearchError(
        'bad_input',
        `cannot create branch ${branch} in ${repo} (${(error as Error).message}); pass --branch with a new name`,
      );
    }
    return commit;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
