// Reward-hack suite, sandbox part: what a hostile job under the local executor's bubblewrap can no longer reach.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { dataDirExposure, jobPaths } from '../../src/executors/data-dir-guard.js';
import { createOptions } from '../../src/executors/docker-spec.js';
import type { JobSpec } from '../../src/executors/executor.js';
import { createLocalExecutor } from '../../src/executors/local.js';
import { probeBwrap } from '../../src/executors/local-sandbox.js';
import { batchScript } from '../../src/executors/slurm-script.js';
import { processesMatching } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const sandboxed = probeBwrap('bwrap') === undefined;
const checkout = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/** A data directory, a runs folder with another experiment's run, and this job's own run folder, as the daemon has. */
async function layout() {
  const home = await tempDir('groundwork-home-');
  await writeFile(join(home, 'daemon.json'), JSON.stringify({ token: 'abcdefghijklmnop-TOKEN-123' }), { mode: 0o600 });
  await mkdir(join(home, 'store'));
  await mkdir(join(home, 'artifacts', 'impl_other', 'files'), { recursive: true });
  await writeFile(join(home, 'artifacts', 'impl_other', 'files', 'train.py'), 'print("original")\n');
  const runs = join(home, 'runs');
  await mkdir(join(runs, 'exp_other', 'seed-0', 'harness'), { recursive: true });
  await writeFile(join(runs, 'exp_other', 'seed-0', 'harness', 'val.txt'), 'held-out text of another run');
  const runDir = join(runs, 'exp_mine', 'seed-0');
  const workspace = join(runDir, 'workspace');
  await mkdir(workspace, { recursive: true });
  return { home, runs, runDir, workspace };
}

type Layout = Awaited<ReturnType<typeof layout>>;

/** Runs a command as a training job of `exp_mine` would run (made from the layout), and returns its log. */
async function runJob(
  job: string[] | ((paths: Layout) => string[]),
  extra: Partial<JobSpec> = {},
): Promise<{ log: string; home: string }> {
  const paths = await layout();
  const { home, runs, runDir, workspace } = paths;
  const command = typeof job === 'function' ? job(paths) : job;
  const executor = createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'auto' });
  const logPath = join(runDir, 'train.log');
  const handle = await executor.start({
    jobId: 'hostile',
    command,
    cwd: workspace,
    env: { PATH: '/usr/bin:/bin', HOME: join(runDir, 'home') },
    logPath,
    timeLimitSec: 60,
    resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
    writable: [workspace],
    readOnly: [],
    devices: [],
    private: { root: runs, keep: runDir },
    ...extra,
  });
  await executor.wait(handle);
  await executor.close();
  return { log: await readFile(logPath, 'utf8'), home };
}

const sh = (script: string): string[] => ['/bin/sh', '-c', script];

function argv0(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
}

describe.skipIf(!sandboxed)('sandbox: what a hostile job cannot reach (bubblewrap)', () => {
  it('cannot read GROUNDWORK_HOME/daemon.json', async () => {
    const { log } = await runJob(({ home }) =>
      sh(`cat ${home}/daemon.json || echo no-token; ls ${home}/store || echo no-store`),
    );
    expect(log).not.toContain('TOKEN-123');
    expect(log).toContain('no-token');
    expect(log).toContain('no-store');
  });

  it('cannot write into the store, the artifacts or the groundwork checkout (dist/)', async () => {
    const targets = (home: string): string[] => [
      join(home, 'store', 'PWNED.txt'),
      join(home, 'artifacts', 'PWNED.txt'),
      join(home, 'artifacts', 'impl_other', 'files', 'train.py'),
      join(checkout, 'dist', 'PWNED-sandbox-test.txt'),
      join(checkout, 'PWNED-sandbox-test.txt'),
    ];
    const { log, home } = await runJob((paths) =>
      sh(
        targets(paths.home)
          .map((path) => `echo TAMPERED > ${path} || echo refused`)
          .join('; '),
      ),
    );
    expect(log.match(/refused/g)).toHaveLength(targets(home).length);
    expect(await readdir(join(home, 'store'))).toEqual([]);
    expect(await readFile(join(home, 'artifacts', 'impl_other', 'files', 'train.py'), 'utf8')).toBe(
      'print("original")\n',
    );
    expect(existsSync(join(checkout, 'dist', 'PWNED-sandbox-test.txt'))).toBe(false);
    expect(existsSync(join(checkout, 'PWNED-sandbox-test.txt'))).toBe(false);
  });

  it('sees no /root, no /home, no groundwork checkout and no /run', async () => {
    const { log } = await runJob(
      sh(
        [
          'ls -A /root 2>/dev/null | wc -l',
          'ls -A /home 2>/dev/null | wc -l',
          `ls ${checkout}/dist 2>/dev/null | wc -l`,
          `ls ${checkout}/environments 2>/dev/null | wc -l`,
          'ls -A /run 2>/dev/null | wc -l',
          'ls /etc/shadow 2>/dev/null | wc -l',
        ].join('; '),
      ),
    );
    expect(log.trim().split('\n')).toEqual(['0', '0', '0', '0', '0', '0']);
  });

  it.skipIf(!existsSync(PYTHON))('cannot connect to a host unix socket it is told about', async () => {
    const dir = await tempDir('groundwork-socket-');
    const path = join(dir, 'host.sock');
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.end('hello-from-host-unix-socket');
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(path, done));
    const probe = [
      'import socket',
      's = socket.socket(socket.AF_UNIX)',
      'try:',
      `    s.connect(${JSON.stringify(path)}); print("CONNECTED", s.recv(100))`,
      'except OSError as error:',
      '    print("blocked", type(error).__name__)',
    ].join('\n');
    // Told the absolute path, as E12's job was; only a folder the job is given (read-only or not) shows a socket.
    const { log } = await runJob([PYTHON, '-c', probe]);
    expect(log).toContain('blocked');
    expect(log).not.toContain('CONNECTED');
    expect(connections).toBe(0);
  });

  it.skipIf(!existsSync(PYTHON))('cannot reach TCP, even on loopback where the daemon listens', async () => {
    const server = createServer((socket) => socket.end('daemon'));
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;
    const probe = [
      'import socket',
      'try:',
      `    socket.create_connection(("127.0.0.1", ${port}), timeout=3); print("CONNECTED")`,
      'except OSError as error:',
      '    print("blocked", type(error).__name__)',
    ].join('\n');
    const { log } = await runJob([PYTHON, '-c', probe]);
    expect(log).toContain('blocked');
  });

  it('cannot see other runs’ folders', async () => {
    const { log } = await runJob(({ runs }) =>
      sh(`ls ${runs}; cat ${runs}/exp_other/seed-0/harness/val.txt || echo gone`),
    );
    expect(log.split('\n')[0]).toBe('exp_mine');
    expect(log).not.toContain('held-out text');
    expect(log).toContain('gone');
  });

  it.skipIf(!hasTorch)('gives torch as many threads as it has outside the sandbox', async () => {
    const code = 'import torch; print("threads", torch.get_num_threads())';
    const host = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' }).stdout.trim();
    const { log } = await runJob([PYTHON, '-c', code]);
    expect(log.trim()).toBe(host);
    const cores = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim());
    // torch counts physical cores: more than one wherever the host has more than one core (not just hyperthreads).
    if (cores > 2) expect(Number(log.trim().split(' ')[1])).toBeGreaterThan(1);
  });

  it('dies with its parent: killing the daemon kills the job and everything it started', async () => {
    const dir = await tempDir();
    const marker = `gw-sandbox-orphan-${process.pid}-${Date.now()}`;
    const script = join(dir, 'daemon.mts');
    await writeFile(
      script,
      [
        `import { createLocalExecutor } from ${JSON.stringify(join(checkout, 'src', 'executors', 'local.ts'))};`,
        `const executor = createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'auto' });`,
        `await executor.start({ jobId: 'orphan', command: ['/bin/bash', '-c', ${JSON.stringify(`(setsid bash -c 'exec -a ${marker} sleep 120' &); exec -a ${marker} sleep 120`)}],`,
        `  cwd: ${JSON.stringify(dir)}, env: { PATH: '/usr/bin:/bin' }, logPath: ${JSON.stringify(join(dir, 'job.log'))},`,
        `  timeLimitSec: 120, resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 120, evaluateTimeLimitSec: 120 },`,
        `  writable: [${JSON.stringify(dir)}], readOnly: [], devices: [] });`,
        `console.log('started');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const daemon = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: checkout,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((done, fail) => {
      daemon.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && done());
      daemon.once('exit', () => fail(new Error('the daemon ended before starting its job')));
    });
    // The job's two sleeps (named by the marker), not bwrap itself, whose command line also holds it.
    const sleepers = (): number => processesMatching(marker).filter((pid) => argv0(pid) === marker).length;
    for (let i = 0; i < 300 && sleepers() < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(sleepers()).toBe(2);
    daemon.kill('SIGKILL');
    for (let i = 0; i < 300 && processesMatching(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(processesMatching(marker)).toEqual([]);
  });
});

describe('sandbox unavailable', () => {
  it('refuses edited code when the configured bubblewrap does not exist', async () => {
    const dir = await tempDir();
    const executor = createLocalExecutor({
      killGraceSec: 1,
      isolateNetwork: 'auto',
      bwrapPath: join(dir, 'missing', 'bwrap'),
    });
    await expect(
      executor.start({
        jobId: 'edited',
        command: sh('echo ran'),
        cwd: dir,
        env: { PATH: '/usr/bin:/bin' },
        logPath: join(dir, 'job.log'),
        timeLimitSec: 10,
        resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 10, evaluateTimeLimitSec: 10 },
        writable: [dir],
        readOnly: [],
        devices: [],
      }),
    ).rejects.toMatchObject({ code: 'sandbox_unavailable', message: expect.stringMatching(/bubblewrap/) });
    expect(existsSync(join(dir, 'job.log'))).toBe(false);
  });
});

describe('docker and slurm jobs: the same view of the data directory', () => {
  const home = '/srv/groundwork-home';
  const spec = (overrides: Partial<JobSpec>): JobSpec => ({
    jobId: 'exp_1-seed-0-train',
    command: ['/usr/bin/python3', 'train.py'],
    cwd: `${home}/runs/exp_1/seed-0/workspace`,
    env: { PATH: '/usr/bin:/bin', HOME: `${home}/runs/exp_1/seed-0/home` },
    logPath: `${home}/runs/exp_1/seed-0/train.log`,
    timeLimitSec: 60,
    resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
    writable: [`${home}/runs/exp_1/seed-0/workspace`],
    readOnly: [`${home}/data/tiny-lm/train.txt`, `${home}/environments/mine`],
    devices: [],
    ...overrides,
  });
  const settings = { image: 'img', shmSizeGiB: 1, pidsLimit: 64, gpuDriver: 'nvidia', dataDir: home };

  it('names only run folders, data and environments of the data directory', async () => {
    expect(dataDirExposure(jobPaths(spec({})), home)).toBeUndefined();
    await expect(createOptions(spec({}), settings)).resolves.toBeDefined();
    expect(() => batchScript(spec({}), { extraArgs: [], dataDir: home })).not.toThrow();
  });

  for (const [what, overrides] of [
    ['the store', { readOnly: [`${home}/store`] }],
    ['the artifacts', { writable: [`${home}/artifacts/impl_1/files`] }],
    ['the daemon token', { env: { PATH: '/usr/bin', TOKEN_FILE: `${home}/daemon.json` } }],
    ['the data directory itself', { readOnly: [home] }],
    ['a folder above it', { readOnly: ['/srv'] }],
  ] as [string, Partial<JobSpec>][]) {
    it(`refuses a job shown ${what}`, async () => {
      await expect(createOptions(spec(overrides), settings)).rejects.toMatchObject({ code: 'executor' });
      expect(() => batchScript(spec(overrides), { extraArgs: [], dataDir: home })).toThrow(/data directory/);
    });
  }
});
