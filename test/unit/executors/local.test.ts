// Local-executor specifics: jobs under bubblewrap (no network, only their own paths), and nothing inherited.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createLocalExecutor } from '../../../src/executors/local.js';
import { detectNetworkIsolation, probeBwrap } from '../../../src/executors/local-sandbox.js';
import { processesMatching } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Bubblewrap runs here: the sandboxed tests run (else they are reported skipped). */
const sandboxed = probeBwrap('bwrap') === undefined;

async function runShell(
  script: string,
  isolate: 'auto' | 'off',
  paths: { readOnly?: string[]; hidden?: string[]; private?: { root: string; keep: string } } = {},
): Promise<string> {
  const dir = await tempDir();
  const executor = createLocalExecutor({
    killGraceSec: 1,
    isolateNetwork: isolate,
    sandbox: isolate === 'off' ? 'off' : 'bwrap',
  });
  const logPath = join(dir, 'job.log');
  const handle = await executor.start({
    jobId: 'probe',
    command: ['/bin/sh', '-c', script],
    cwd: dir,
    env: { PATH: '/usr/bin:/bin' },
    logPath,
    timeLimitSec: 10,
    resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 10, evaluateTimeLimitSec: 10 },
    writable: [dir],
    readOnly: paths.readOnly ?? [],
    hidden: paths.hidden ?? [],
    ...(paths.private ? { private: paths.private } : {}),
    devices: [],
  });
  await executor.wait(handle);
  return readFile(logPath, 'utf8');
}

describe('local executor', () => {
  it.skipIf(!sandboxed)('gives jobs a network namespace with only loopback', async () => {
    const inside = await runShell('tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "', 'auto');
    expect(inside.trim().split('\n')).toEqual(['lo']);
  });

  it.skipIf(!sandboxed)('hides other processes, so a job cannot read the daemon’s environment', async () => {
    const inside = await runShell('ls /proc | grep -E "^[0-9]+$" | wc -l; cat /proc/1/cmdline | tr "\\0" " "', 'auto');
    const [count] = inside.trim().split('\n');
    expect(Number(count)).toBeLessThan(10);
  });

  it.skipIf(!sandboxed)('kills detached grandchildren when the job ends', async () => {
    const marker = `gw-orphan-${process.pid}-${Date.now()}`;
    await runShell(`(setsid sh -c 'exec -a ${marker} sleep 60' &) ; sleep 0.2; echo started`, 'auto');
    expect(processesMatching(marker)).toEqual([]);
  });

  it.skipIf(!sandboxed)('hides and protects paths so that even a root job cannot uncover or change them', async () => {
    const source = await tempDir();
    await mkdir(join(source, 'harness'));
    await writeFile(join(source, 'harness', 'val.txt'), 'held-out text');
    await writeFile(join(source, 'train.py'), 'print(1)');
    const inside = await runShell(
      [
        `cat ${source}/harness/val.txt || echo hidden`,
        `umount ${source}/harness || echo cannot-unmount`,
        `cat ${source}/harness/val.txt || echo still-hidden`,
        `echo changed > ${source}/train.py || echo read-only`,
        `mount -o remount,bind,rw ${source} || echo cannot-remount`,
        `cat ${source}/train.py`,
      ].join('; '),
      'auto',
      { readOnly: [source], hidden: [join(source, 'harness')] },
    );
    expect(inside).not.toContain('held-out text');
    for (const word of ['hidden', 'cannot-unmount', 'still-hidden', 'read-only', 'cannot-remount']) {
      expect(inside).toContain(word);
    }
    expect(inside).toContain('print(1)');
    expect(await readFile(join(source, 'train.py'), 'utf8')).toBe('print(1)');
  });

  it.skipIf(!sandboxed)('shows a job only its own run folder of the shared runs folder', async () => {
    const runs = await tempDir();
    await mkdir(join(runs, 'exp_other', 'seed-0', 'checkpoint'), { recursive: true });
    await writeFile(join(runs, 'exp_other', 'seed-0', 'checkpoint', 'model.pt'), 'a better model');
    await mkdir(join(runs, 'exp_mine', 'seed-0'), { recursive: true });
    await writeFile(join(runs, 'exp_mine', 'seed-0', 'mine.txt'), 'my own file');
    const inside = await runShell(
      `ls ${runs}; cat ${runs}/exp_mine/seed-0/mine.txt; cat ${runs}/exp_other/seed-0/checkpoint/model.pt || echo gone; ` +
        `echo written > ${runs}/exp_mine/seed-0/out.txt`,
      'auto',
      { private: { root: runs, keep: join(runs, 'exp_mine', 'seed-0') } },
    );
    expect(inside).toContain('my own file');
    expect(inside).not.toContain('a better model');
    expect(inside).toContain('gone');
    expect(inside.split('\n')[0]).toBe('exp_mine');
    expect(await readFile(join(runs, 'exp_mine', 'seed-0', 'out.txt'), 'utf8')).toBe('written\n');
    expect(await readFile(join(runs, 'exp_other', 'seed-0', 'checkpoint', 'model.pt'), 'utf8')).toBe('a better model');
  });

  it('passes exactly the environment it is given', async () => {
    process.env.GROUNDWORK_SECRET_PROBE = 'x';
    try {
      const inside = await runShell('env | cut -d= -f1 | sort', 'off');
      expect(inside).not.toContain('GROUNDWORK_SECRET_PROBE');
      expect(inside.trim().split('\n')).toEqual(expect.arrayContaining(['PATH']));
    } finally {
      delete process.env.GROUNDWORK_SECRET_PROBE;
    }
  });

  it.skipIf(detectNetworkIsolation() !== undefined)(
    'refuses to start when isolation is required but unavailable',
    async () => {
      const executor = createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'required', sandbox: 'off' });
      await expect(executor.start({} as never)).rejects.toThrow(/network isolation is required/);
    },
  );

  it('refuses edited code, with a coded error, where bubblewrap cannot run', async () => {
    const dir = await tempDir();
    const executor = createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'off', bwrapPath: join(dir, 'no-bwrap') });
    const spec = {
      jobId: 'refused',
      command: ['/bin/sh', '-c', 'echo ran'],
      cwd: dir,
      env: { PATH: '/usr/bin:/bin' },
      logPath: join(dir, 'logs', 'job.log'),
      timeLimitSec: 10,
      resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 10, evaluateTimeLimitSec: 10 },
      writable: [dir],
      readOnly: [],
      devices: [],
    };
    const refusal = await executor.start(spec).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'sandbox_unavailable' });
    expect(String((refusal as Error).message)).toMatch(/apt-get install bubblewrap/);
    expect(String((refusal as Error).message)).toMatch(/executor\.local\.sandbox: "off"/);
    expect(executor.sandbox).toBe('off');
    // The environment's own code (a baseline) still runs, unsandboxed.
    const handle = await executor.start({ ...spec, jobId: 'baseline', trusted: true });
    expect((await executor.wait(handle)).exitCode).toBe(0);
    expect(await readFile(spec.logPath, 'utf8')).toContain('ran');
  });

  it('runs everything unsandboxed when the sandbox is off, and says so', async () => {
    const executor = createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'off', sandbox: 'off' });
    expect(executor.sandbox).toBe('off');
    expect(createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'off' }).sandbox).toBe(sandboxed ? 'bwrap' : 'off');
  });
});
