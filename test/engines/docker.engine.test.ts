// The docker executor against a real engine: the executor contract, then isolation, limits and clean-up.
// Needs GROUNDWORK_TEST_DOCKER_SOCKET and GROUNDWORK_TEST_DOCKER_IMAGE (a busybox image; test/engines/docker-engine.ts
// starts a private dockerd and imports one); GROUNDWORK_TEST_DOCKER_CPU_IMAGE adds a real tiny-lm run.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';

import { createDockerExecutor, type DockerExecutorOptions } from '../../src/executors/docker.js';
import type { Executor, JobSpec } from '../../src/executors/executor.js';
import { runExecutorContract } from '../contract/executor.contract.js';
import { shellCommand } from '../contract/shell-jobs.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestServer } from '../helpers/test-server.js';

const socketPath = process.env.GROUNDWORK_TEST_DOCKER_SOCKET;
const image = process.env.GROUNDWORK_TEST_DOCKER_IMAGE;
const cpuImage = process.env.GROUNDWORK_TEST_DOCKER_CPU_IMAGE;

function dockerExecutor(overrides: Partial<DockerExecutorOptions> = {}): Executor {
  return createDockerExecutor({
    socketPath,
    image: image as string,
    shmSizeGiB: 0.0625,
    pidsLimit: 256,
    gpuDriver: 'nvidia',
    killGraceSec: 1,
    ...overrides,
  });
}

describe.skipIf(!socketPath || !image)('docker executor on a real engine', () => {
  runExecutorContract('docker', () => ({
    executor: dockerExecutor(),
    command: shellCommand,
    reopen: () => dockerExecutor(),
  }));

  const opened: Executor[] = [];
  afterEach(async () => {
    for (const executor of opened.splice(0)) await executor.close();
  });
  const open = (overrides: Partial<DockerExecutorOptions> = {}): Executor => {
    const executor = dockerExecutor(overrides);
    opened.push(executor);
    return executor;
  };

  async function shellJob(script: string, overrides: Partial<JobSpec> = {}): Promise<JobSpec> {
    const dir = await tempDir();
    return {
      jobId: `docker-${Math.random().toString(36).slice(2)}`,
      command: ['/bin/sh', '-c', script],
      cwd: dir,
      env: { PATH: '/bin' },
      logPath: join(dir, 'logs', 'job.log'),
      timeLimitSec: 60,
      resources: { gpus: 0, cpus: 1, memoryGiB: 0.25, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
      writable: [dir],
      readOnly: [],
      devices: [],
      ...overrides,
    };
  }

  async function run(executor: Executor, spec: JobSpec): Promise<{ exitCode: number | null; log: string }> {
    const exit = await executor.wait(await executor.start(spec));
    return { exitCode: exit.exitCode, log: await readFile(spec.logPath, 'utf8') };
  }

  const managedJobs = async (): Promise<string[]> => {
    const containers = await new Docker({ socketPath }).listContainers({
      all: true,
      filters: { label: ['groundwork.managed=1'] },
    });
    return containers.map((container) => container.Labels['groundwork.job'] as string);
  };

  it('mounts read-only paths read-only and writable paths writable, at the same paths', async () => {
    const readOnly = await tempDir();
    await writeFile(join(readOnly, 'data.txt'), 'frozen data\n');
    const spec = await shellJob(
      `cat ${readOnly}/data.txt; echo out > ./written.txt && echo wrote; echo x > ${readOnly}/x || echo refused`,
      { readOnly: [readOnly] },
    );
    const { exitCode, log } = await run(open(), spec);
    expect(exitCode).toBe(0);
    expect(log).toContain('frozen data');
    expect(log).toMatch(/Read-only file system/);
    expect(log).toContain('refused');
    expect(log).toContain('wrote');
    expect(await readFile(join(spec.cwd, 'written.txt'), 'utf8')).toBe('out\n');
    expect(existsSync(join(readOnly, 'x'))).toBe(false);
  });

  it('gives the job no network and nothing of the host outside its mounts', async () => {
    const elsewhere = await tempDir();
    await writeFile(join(elsewhere, 'secret.txt'), 'host only\n');
    const spec = await shellJob(
      `ls /sys/class/net; test -e ${elsewhere}/secret.txt && echo visible || echo invisible; test -e /work && echo host-work || true`,
    );
    const { exitCode, log } = await run(open(), spec);
    expect(exitCode).toBe(0);
    expect(log.split('\n').filter(Boolean)).toEqual(['lo', 'invisible']);
  });

  it('covers hidden paths that lie inside a mount', async () => {
    const spec = await shellJob('');
    await mkdir(join(spec.cwd, 'held-out'));
    await writeFile(join(spec.cwd, 'held-out', 'answers.txt'), 'answers\n');
    await writeFile(join(spec.cwd, 'key.txt'), 'key\n');
    spec.command = ['/bin/sh', '-c', 'ls -A held-out; cat key.txt; echo x > held-out/y || echo refused; echo end'];
    spec.hidden = [join(spec.cwd, 'held-out'), join(spec.cwd, 'key.txt'), '/elsewhere/not-mounted'];
    const { exitCode, log } = await run(open(), spec);
    expect(exitCode).toBe(0);
    expect(log).not.toContain('answers');
    expect(log).not.toContain('key');
    expect(log).toContain('refused');
    expect(log).toMatch(/can't create held-out\/y: Read-only file system/);
    expect(log).toContain('end');
  });

  it('fails loudly when a mounted path does not exist', async () => {
    const spec = await shellJob('true', { readOnly: ['/nonexistent/groundwork-data'] });
    await expect(open().start(spec)).rejects.toThrow(/bind source path does not exist/);
    expect(await managedJobs()).not.toContain(spec.jobId);
  });

  it('reports a job killed at its memory limit as oomKilled', async () => {
    // /dev/zero has no newline, so tail holds all 200 MB in memory.
    const spec = await shellJob('head -c 200m /dev/zero | tail -n 1 > /dev/null', {
      resources: { gpus: 0, cpus: 1, memoryGiB: 32 / 1024, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
    });
    const executor = open();
    const exit = await executor.wait(await executor.start(spec));
    expect(exit.oomKilled).toBe(true);
    expect(exit.exitCode).toBe(137);
    expect(exit.timedOut).toBe(false);
  });

  it('says so clearly when a GPU job meets an engine without the NVIDIA driver, and leaves no container', async () => {
    const spec = await shellJob('true', {
      devices: ['0'],
      resources: { gpus: 1, cpus: 1, memoryGiB: 0.25, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
    });
    await expect(open().start(spec)).rejects.toThrow(/NVIDIA container toolkit/);
    expect(await managedJobs()).not.toContain(spec.jobId);
  });

  it('names the missing image and how to build it', async () => {
    const spec = await shellJob('true');
    const error = await open({ image: 'groundwork-test/absent:latest' })
      .start(spec)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'executor' });
    expect(String(error)).toMatch(/image groundwork-test\/absent:latest is not present.*npm run image:cpu/);
    // The job's own image comes first.
    const named = await open()
      .start({ ...(await shellJob('true')), image: 'groundwork-test/named:latest' })
      .catch((e: unknown) => e);
    expect(String(named)).toMatch(/image groundwork-test\/named:latest is not present/);
  });

  it('says the engine is unreachable and what to do', async () => {
    const spec = await shellJob('true');
    const error = await open({ socketPath: join(await tempDir(), 'no-docker.sock') })
      .start(spec)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'executor' });
    expect(String(error)).toMatch(/cannot reach the Docker engine at .*no-docker\.sock.*start dockerd/);
  });

  it('removes the container once the job is waited for; another process then finds it lost', async () => {
    const executor = open();
    const spec = await shellJob('echo done');
    const handle = await executor.start(spec);
    expect(await managedJobs()).toContain(spec.jobId);
    await executor.wait(handle);
    expect(await managedJobs()).not.toContain(spec.jobId);
    expect(await executor.poll(handle)).toMatchObject({ state: 'exited', exitCode: 0 });
    expect((await open().poll(handle)).state).toBe('lost');
  });

  it('writes the whole log for a job re-attached after it has ended', async () => {
    const first = open();
    // Its time limit has passed by the time it is re-attached, but it ended well within it.
    const spec = await shellJob('for i in 1 2 3; do echo line $i; done; echo to-stderr >&2; exit 4', {
      timeLimitSec: 1,
    });
    const handle = await first.start(spec);
    await first.close();
    await writeFile(spec.logPath, 'stale\n');
    await new Promise((resolveLater) => setTimeout(resolveLater, 1500));
    const second = open();
    expect((await second.poll(handle)).state).toBe('exited');
    const exit = await second.wait(JSON.parse(JSON.stringify(handle)));
    expect(exit).toMatchObject({ exitCode: 4, timedOut: false, cancelled: false });
    // stdout and stderr travel through separate pipes: their relative order is not kept.
    const lines = (await readFile(spec.logPath, 'utf8')).split('\n');
    expect(lines.filter((line) => line.startsWith('line'))).toEqual(['line 1', 'line 2', 'line 3']);
    expect(lines.sort()).toEqual(['', 'line 1', 'line 2', 'line 3', 'to-stderr']);
  });

  it('enforces the time limit from the original start after a re-attach', async () => {
    const first = open();
    const spec = await shellJob('sleep 60', { timeLimitSec: 2 });
    const handle = await first.start(spec);
    await first.close();
    const started = Date.now();
    const exit = await open().wait(handle);
    expect(exit.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('cancels a job started by another process', async () => {
    const spec = await shellJob('sleep 60');
    const handle = await open().start(spec);
    const other = open();
    const started = Date.now();
    await other.cancel(handle);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(await managedJobs()).not.toContain(spec.jobId);
    expect(await other.wait(handle)).toMatchObject({ cancelled: true });
    await other.cancel(handle);
    await open().cancel(handle); // a third process: the container is gone, nothing to do
  });

  it('does not call a job that ended on its own cancelled', async () => {
    const first = open();
    const spec = await shellJob('exit 0');
    const handle = await first.start(spec);
    await first.close();
    await new Promise((resolveLater) => setTimeout(resolveLater, 1000));
    const other = open();
    await other.cancel(handle);
    expect(await managedJobs()).not.toContain(spec.jobId);
    expect(await other.wait(handle)).toMatchObject({ exitCode: 0, cancelled: false, timedOut: false });
  });

  it('reaps containers whose jobs the caller no longer knows', async () => {
    const executor = open();
    const orphan = await shellJob('sleep 60');
    const kept = await shellJob('sleep 60');
    const orphanHandle = await executor.start(orphan);
    const keptHandle = await executor.start(kept);
    const removed = (await open().reap?.((jobId) => jobId !== orphan.jobId)) ?? [];
    expect(removed).toContain(orphan.jobId);
    expect(removed).not.toContain(kept.jobId);
    const left = await managedJobs();
    expect(left).not.toContain(orphan.jobId);
    expect(left).toContain(kept.jobId);
    expect((await open().poll(orphanHandle)).state).toBe('lost');
    await executor.cancel(keptHandle);
    expect(await managedJobs()).not.toContain(kept.jobId);
  });

  it('reaps only its own scope when daemons share an engine', async () => {
    const theirs = open({ scope: '/home/b/.groundwork' });
    const mine = open({ scope: '/home/a/.groundwork' });
    const theirJob = await shellJob('sleep 60');
    const myJob = await shellJob('sleep 60');
    const theirHandle = await theirs.start(theirJob);
    await mine.start(myJob);
    const removed = (await open({ scope: '/home/a/.groundwork' }).reap?.(() => false)) ?? [];
    expect(removed).toEqual([myJob.jobId]);
    expect(await managedJobs()).toContain(theirJob.jobId);
    await theirs.cancel(theirHandle);
  });

  it('runs as the invoking user with all capabilities dropped, and passes the allocated limits', async () => {
    const spec = await shellJob(
      'id -u; grep CapEff /proc/self/status; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max',
    );
    const { exitCode, log } = await run(open(), spec);
    expect(exitCode).toBe(0);
    const [uid, caps, pids] = log.trim().split('\n');
    expect(uid).toBe(String(process.getuid?.()));
    expect(caps).toMatch(/CapEff:\s+0+$/);
    expect(pids).toBe('256');
  });
});

describe.skipIf(!socketPath || !cpuImage)('tiny-lm in the CPU image', () => {
  it('runs the smoke profile through the whole pipeline on the docker executor', async () => {
    const executor = dockerExecutor({ image: cpuImage as string, shmSizeGiB: 1 });
    const server = await createTestServer({
      config: { preflight: { smoke: false }, python: ['/usr/bin/python3'] },
      overrides: { executor },
    });
    try {
      // tiny-lm names its image; give the CPU image that name when it was built under another.
      const environment = await server.services.getEnvironment('tiny-lm');
      const named = environment.manifest.image;
      if (named && named !== cpuImage) {
        const colon = named.lastIndexOf(':');
        const [repo, tag] =
          colon > named.lastIndexOf('/') ? [named.slice(0, colon), named.slice(colon + 1)] : [named, 'latest'];
        await new Docker({ socketPath }).getImage(cpuImage as string).tag({ repo, tag });
      }
      const train = await readFile(join(environment.dir, 'train.py'), 'utf8');
      const comment = train.split('\n').find((line) => /^# /.test(line));
      expect(comment, 'train.py has a comment line to edit').toBeDefined();
      const edit = `train.py\n<<<<<<< SEARCH\n${comment}\n=======\n${comment} (run in a container)\n>>>>>>> REPLACE\n`;
      const implementation = await server.services.implementIdea({
        idea: { text: 'baseline' },
        environment: 'tiny-lm',
        edit,
      });
      expect(implementation.status, implementation.error?.message).toBe('ready');
      const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'smoke' });
      const experiment = await server.services.waitForExperiment(queued.id, 240_000);
      expect(experiment.state, JSON.stringify(experiment.failure)).toBe('succeeded');
      expect(experiment.result?.metric.value).toBeGreaterThan(0.5);
    } finally {
      await server.close();
    }
  }, 300_000);
});
