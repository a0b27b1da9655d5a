// The data directory lock: one writer, clear errors, stale locks of dead processes taken over.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { acquireLock } from '../../../src/store/lock.js';
import { openLowdbStore } from '../../../src/store/lowdb-store.js';
import { runFixture } from './spawn-fixture.js';

const NOBODY = { uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-lock-'));
  await chmod(dir, 0o755);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

function staleLock(pid: number, host = hostname()): string {
  return JSON.stringify({
    pid,
    hostname: host,
    startedAt: '2020-01-01T00:00:00.000Z',
    command: 'gone',
  });
}

async function rejection(promise: Promise<unknown>): Promise<ResearchError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ResearchError);
  return error as ResearchError;
}

describe('acquireLock', () => {
  it('writes who holds the directory and removes the file on release', async () => {
    const lock = await acquireLock(dir, { command: 'groundwork serve' });
    const owner = JSON.parse(await readFile(join(dir, 'lock'), 'utf8'));
    expect(owner).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      command: 'groundwork serve',
    });
    await lock.release();
    await lock.release();
    await expect(readFile(join(dir, 'lock'))).rejects.toThrow(/ENOENT/);
    await (await acquireLock(dir)).release();
  });

  it('refuses a second holder in the same process, naming the pid', async () => {
    const lock = await acquireLock(dir, { command: 'first' });
    const error = await rejection(acquireLock(dir));
    expect(error.code).toBe('store_locked');
    expect(error.message).toContain(`process ${process.pid} (first, since`);
    expect(error.message).toContain('GROUNDWORK_HOME');
    const second = await rejection(openLowdbStore(dir));
    expect(second.code).toBe('store_locked');
    await lock.release();
  });

  it('refuses a second process while this one holds the store', { timeout: 20_000 }, async () => {
    const store = await openLowdbStore(dir, { command: 'lock test' });
    const result = await runFixture(dir, 'store').result;
    expect(result).toMatchObject({ ok: false, code: 'store_locked' });
    expect(result.message).toContain(`process ${process.pid} (lock test, since`);
    await store.close();
    expect(await runFixture(dir, 'store').result).toMatchObject({ ok: true });
  });

  it('takes over from a process that was killed while holding it', { timeout: 20_000 }, async () => {
    const holder = runFixture(dir, 'store', -1);
    const held = await holder.result;
    expect(held.ok).toBe(true);
    const error = await rejection(openLowdbStore(dir));
    expect(error.code).toBe('store_locked');
    expect(error.message).toContain(`process ${held.pid} (open-store fixture`);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const store = await openLowdbStore(dir);
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    await store.close();
  });

  it('is released when the holding process exits without releasing it', { timeout: 20_000 }, async () => {
    const run = runFixture(dir, 'store', -2);
    expect((await run.result).ok).toBe(true);
    await run.exited;
    await expect(readFile(join(dir, 'lock'))).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock left by an exited process', async () => {
    await writeFile(join(dir, 'lock'), staleLock(deadPid()));
    const lock = await acquireLock(dir);
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock carrying our own pid that this process does not hold', async () => {
    await writeFile(join(dir, 'lock'), staleLock(process.pid));
    await (await acquireLock(dir)).release();
  });

  it('takes over an old unreadable lock file', async () => {
    await writeFile(join(dir, 'lock'), '{"pid": 12');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, 'lock'), old, old);
    await (await acquireLock(dir)).release();
  });

  it('treats a lock from another host as held', async () => {
    await writeFile(join(dir, 'lock'), staleLock(1, 'elsewhere'));
    const error = await rejection(acquireLock(dir));
    expect(error.code).toBe('store_locked');
    expect(error.message).toContain('on host elsewhere');
    expect(error.message).toContain(join(dir, 'lock'));
  });

  it('lets exactly one of several racing processes take over a stale lock', { timeout: 30_000 }, async () => {
    await writeFile(join(dir, 'lock'), staleLock(deadPid()));
    const runs = Array.from({ length: 6 }, () => runFixture(dir, 'lock', -1)); // the winner holds on
    const results = await Promise.all(runs.map((run) => run.result));
    for (const run of runs) run.child.kill('SIGKILL');
    await Promise.all(runs.map((run) => run.exited));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) expect(result.code).toBe('store_locked');
  });

  it('lets exactly one of many concurrent in-process attempts take over a stale lock', async () => {
    for (let round = 0; round < 5; round++) {
      await writeFile(join(dir, 'lock'), staleLock(deadPid()));
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => acquireLock(dir)));
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect((outcome.reason as ResearchError).code).toBe('store_locked');
      }
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    }
  });

  describe.skipIf(!isRoot)('a data directory this user cannot write (run as nobody)', () => {
    it('gives store_unwritable for an existing read-only directory', { timeout: 20_000 }, async () => {
      const result = await runFixture(dir, 'store', 0, NOBODY).result;
      expect(result).toMatchObject({ ok: false, code: 'store_unwritable' });
      expect(result.message).toContain(`cannot write to ${dir} (EACCES)`);
    });

    it('gives store_unwritable when the directory cannot be created', { timeout: 20_000 }, async () => {
      const result = await runFixture(join(dir, 'home', 'deeper'), 'store', 0, NOBODY).result;
      expect(result).toMatchObject({ ok: false, code: 'store_unwritable' });
    });
  });

  it.skipIf(isRoot)('gives store_unwritable for a read-only directory', async () => {
    const readOnly = join(dir, 'ro');
    await mkdir(readOnly, { mode: 0o555 });
    const error = await rejection(openLowdbStore(readOnly));
    expect(error.code).toBe('store_unwritable');
  });
});
