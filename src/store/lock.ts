// One writer per data directory: an exclusively created `lock` file, taken over when its process died.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import { errnoCode, isUnwritable, unwritableError } from './fs-errors.js';
import { type LockOwner, isOwnerAlive, lockedError, parseOwner } from './lock-owner.js';

export interface Lock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Shown to a second process that finds the directory in use. Default: this process's command line. */
  command?: string;
}

/** Lock files this process holds: path → token. Released best-effort when the process exits. */
const held = new Map<string, string>();
let exitHookInstalled = false;

const ATTEMPTS = 50;
const GUARD_STALE_MS = 10_000;
const UNPARSEABLE_GRACE_MS = 2_000;

export async function acquireLock(dataDir: string, options: LockOptions = {}): Promise<Lock> {
  const dir = resolve(dataDir);
  const file = join(dir, 'lock');
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw isUnwritable(error) ? unwritableError(dir, error) : error;
  });
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command: options.command ?? defaultCommand(),
    token: randomUUID(),
  };
  const text = JSON.stringify(owner, null, 2) + '\n';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await tryCreate(dir, file, text)) return hold(file, owner.token as string);
    const current = await readText(file);
    if (current === undefined) continue; // released in between: try again
    const existing = parseOwner(current);
    if (existing && isOwnerAlive(existing, (token) => token !== undefined && held.get(file) === token)) {
      throw lockedError(dir, file, existing);
    }
    if (!existing && !(await olderThan(file, UNPARSEABLE_GRACE_MS))) {
      await sleep(50); // a lock being written by a non-linking file system: give it a moment
      continue;
    }
    await takeOver(file, current);
  }
  throw new ResearchError('store_locked', `could not acquire ${file}: other processes keep racing for it`);
}

/** Creates the lock with its full content in one step: write a private file, then hard-link it. */
async function tryCreate(dir: string, file: string, text: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
  } catch (error) {
    throw isUnwritable(error) ? unwritableError(dir, error) : error;
  }
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    // No hard links here (the directory is writable: the temp file was written): exclusive create.
    return writeFile(file, text, { flag: 'wx' }).then(
      () => true,
      (createError: unknown) => {
        if (errnoCode(createError) === 'EEXIST') return false;
        throw isUnwritable(createError) ? unwritableError(dir, createError) : createError;
      },
    );
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Replaces a stale lock whose text was `staleText`. A short-lived guard file makes takeovers take
 * turns; inside it the lock is renamed aside only if it still holds the stale text, so of two racing
 * starters one removes the stale lock and creates its own, and the other then finds that live lock.
 */
async function takeOver(file: string, staleText: string): Promise<void> {
  const guard = `${file}.takeover`;
  try {
    await writeFile(guard, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw isUnwritable(error) ? unwritableError(file, error) : error;
    if (await olderThan(guard, GUARD_STALE_MS)) await rm(guard, { force: true });
    else await sleep(20);
    return;
  }
  try {
    if ((await readText(file)) !== staleText) return;
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    await rename(file, aside);
    await rm(aside, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

function hold(file: string, token: string): Lock {
  held.set(file, token);
  installExitHook();
  return {
    file,
    release: async () => {
      if (held.get(file) !== token) return;
      held.delete(file);
      const current = await readText(file);
      if (current !== undefined && parseOwner(current)?.token === token) await rm(file, { force: true });
    },
  };
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [file, token] of held) {
      try {
        if (parseOwner(readFileSync(file, 'utf8'))?.token === token) unlinkSync(file);
      } catch {
        // best effort: a dead process's lock is taken over by the next starter anyway
      }
    }
  });
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function defaultCommand(): string {
  const [script, ...args] = process.argv.slice(1);
  return [script ? basename(script) : basename(process.execPath), ...args].join(' ').slice(0, 200);
}
