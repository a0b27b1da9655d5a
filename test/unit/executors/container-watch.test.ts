// Following a container without an engine: a scripted container stands in for dockerode's.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { type ContainerFacts, watch, type WatchedContainer } from '../../../src/executors/container-watch.js';
import type { JobExit } from '../../../src/executors/executor.js';
import { silentLogger } from '../../../src/util/logger.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** One frame of Docker's multiplexed log stream. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** A container that runs until `exit` (or `stop`, which exits with 143); `inspect` rejects with 404 once removed. */
function scriptedContainer(labels: Record<string, string> = {}) {
  let running = true;
  let removed = false;
  let exitCode = 0;
  let ended = (_code: number): void => undefined;
  const exited = new Promise<number>((resolve) => (ended = resolve));
  const output = new PassThrough();
  const history: Buffer[] = [];
  const calls: string[] = [];
  const notFound = (): Error => Object.assign(new Error('no such container'), { statusCode: 404 });
  const exit = (code: number): void => {
    if (!running) return;
    running = false;
    exitCode = code;
    output.end();
    ended(code);
  };
  const container: WatchedContainer = {
    inspect: async (): Promise<ContainerFacts> => {
      calls.push('inspect');
      if (removed) throw notFound();
      return {
        State: {
          Running: running,
          Status: running ? 'running' : 'exited',
          ExitCode: exitCode,
          OOMKilled: false,
          StartedAt: '2026-12-01T00:00:00.000Z',
          FinishedAt: running ? '0001-01-01T00:00:00Z' : '2026-12-01T00:00:02.500Z',
        },
        Config: { Labels: labels },
      };
    },
    wait: (signal) =>
      new Promise((resolve, reject) => {
        if (removed) return reject(notFound());
        void exited.then(resolve);
        signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      }),
    followLogs: async () => output,
    readLogs: async () => Buffer.concat(history),
    stop: async () => {
      calls.push('stop');
      exit(143);
    },
  };
  return {
    container,
    calls,
    exit,
    print: (stream: 1 | 2, text: string) => {
      history.push(frame(stream, text));
      output.write(frame(stream, text));
    },
    remove: () => {
      removed = true;
    },
  };
}

const job = (timeLimitSec = 60) => ({ jobId: 'exp_1-s0-train', startedAt: Date.now(), timeLimitSec });

describe('container watch', () => {
  it('copies the log, reports the exit with the engine’s duration, and records it before `done` resolves', async () => {
    const scripted = scriptedContainer();
    const logPath = join(await tempDir(), 'logs', 'train.log');
    const seen: JobExit[] = [];
    const watched = watch({
      container: scripted.container,
      job: job(),
      logPath,
      target: '/var/run/docker.sock',
      log: silentLogger,
      onExit: (exit) => seen.push(exit),
    });
    scripted.print(1, 'step 1\n');
    scripted.print(2, 'warning\n');
    scripted.exit(3);
    const exit = await watched.done;
    expect(exit).toEqual({
      exitCode: 3,
      signal: null,
      timedOut: false,
      cancelled: false,
      oomKilled: false,
      durationMs: 2500,
    });
    expect(seen).toEqual([exit]);
    expect(watched.state.exited).toBe(true);
    expect(await readFile(logPath, 'utf8')).toBe('step 1\nwarning\n');
    await watched.stop('cancelled');
    expect(scripted.calls).not.toContain('stop');
    expect(watched.state.cancelled).toBe(false);
  });

  it('stops the container at its time limit and says so', async () => {
    const scripted = scriptedContainer();
    const watched = watch({
      container: scripted.container,
      job: job(0.05),
      logPath: join(await tempDir(), 'job.log'),
      target: '/var/run/docker.sock',
      log: silentLogger,
      onExit: () => undefined,
    });
    expect(await watched.done).toMatchObject({ exitCode: 143, timedOut: true, cancelled: false });
    expect(scripted.calls).toContain('stop');
  });

  it('records a cancel of a running container', async () => {
    const scripted = scriptedContainer();
    const watched = watch({
      container: scripted.container,
      job: job(),
      logPath: join(await tempDir(), 'job.log'),
      target: '/var/run/docker.sock',
      log: silentLogger,
      onExit: () => undefined,
    });
    await watched.stop('cancelled');
    expect(await watched.done).toMatchObject({ exitCode: 143, timedOut: false, cancelled: true });
  });

  it('finds the log path in the container’s label after a re-attach', async () => {
    const logPath = join(await tempDir(), 'logs', 'job.log');
    const scripted = scriptedContainer({ 'groundwork.log': logPath });
    scripted.print(1, 'before the re-attach\n');
    const watched = watch({
      container: scripted.container,
      job: job(),
      target: '/var/run/docker.sock',
      log: silentLogger,
      onExit: () => undefined,
    });
    scripted.exit(0);
    expect(await watched.done).toMatchObject({ exitCode: 0 });
    expect(await readFile(logPath, 'utf8')).toBe('before the re-attach\n');
  });

  it('says the container is gone when it was removed before this process saw it exit', async () => {
    const scripted = scriptedContainer();
    scripted.remove();
    const watched = watch({
      container: scripted.container,
      job: job(),
      target: '/var/run/docker.sock',
      log: silentLogger,
      onExit: () => undefined,
    });
    await expect(watched.done).rejects.toMatchObject({ code: 'executor', details: { gone: true } });
  });

  it('stops following on detach and leaves the container running', async () => {
    const scripted = scriptedContainer();
    const watched = watch({
      container: scripted.container,
      job: job(),
      logPath: join(await tempDir(), 'job.log'),
      target: '/var/run/docker.sock',
      log: silentLogger,
      onExit: () => undefined,
    });
    watched.detach();
    await expect(watched.done).rejects.toThrow(/stopped following job exp_1-s0-train/);
    expect(scripted.calls).not.toContain('stop');
    expect(watched.state.exited).toBe(false);
  });
});
