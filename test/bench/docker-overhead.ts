// Benchmark: what the docker executor adds to a container's lifecycle, over the same calls made directly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import Docker from 'dockerode';

import { createDockerExecutor } from '../../src/executors/docker.js';
import type { JobSpec } from '../../src/executors/executor.js';

const WARM_UP = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Medians over `runs` (after a few untimed ones, interleaved so load hits both alike) of (a) a `true` job through
 * `createDockerExecutor` from start() to wait() resolving, log written and container removed, and (b) the same
 * create/start/wait/remove with dockerode directly, with the same limits and bind mount.
 */
export async function measureDockerOverhead(
  socketPath: string,
  image: string,
  runs = 20,
): Promise<{ executorMs: number; directMs: number; overheadMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-bench-docker-'));
  const executor = createDockerExecutor({
    socketPath,
    image,
    shmSizeGiB: 0.0625,
    pidsLimit: 256,
    gpuDriver: 'nvidia',
    killGraceSec: 1,
  });
  const docker = new Docker({ socketPath });
  const spec = (i: number): JobSpec => ({
    jobId: `bench-${process.pid}-${i}`,
    command: ['true'],
    cwd: dir,
    env: { PATH: '/bin:/usr/bin' },
    logPath: join(dir, `job-${i}.log`),
    timeLimitSec: 60,
    resources: { gpus: 0, cpus: 1, memoryGiB: 0.25, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
    writable: [dir],
    readOnly: [],
    devices: [],
  });
  const throughExecutor = async (i: number): Promise<number> => {
    const started = performance.now();
    const exit = await executor.wait(await executor.start(spec(i)));
    if (exit.exitCode !== 0) throw new Error(`bench job exited with ${exit.exitCode}`);
    return performance.now() - started;
  };
  const direct = async (): Promise<number> => {
    const started = performance.now();
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['true'],
      WorkingDir: dir,
      Env: ['PATH=/bin:/usr/bin'],
      HostConfig: {
        Mounts: [{ Type: 'bind', Source: dir, Target: dir, ReadOnly: false }],
        NetworkMode: 'none',
        NanoCpus: 1e9,
        Memory: 0.25 * 1024 ** 3,
        MemorySwap: 0.25 * 1024 ** 3,
        PidsLimit: 256,
        Init: true,
      },
    });
    await container.start();
    const result = (await container.wait({ condition: 'not-running' })) as { StatusCode: number };
    await container.remove({ force: true, v: true });
    if (result.StatusCode !== 0) throw new Error(`direct container exited with ${result.StatusCode}`);
    return performance.now() - started;
  };
  try {
    const executorTimes: number[] = [];
    const directTimes: number[] = [];
    for (let i = 0; i < runs + WARM_UP; i++) {
      const viaExecutor = await throughExecutor(i);
      const viaDocker = await direct();
      if (i < WARM_UP) continue;
      executorTimes.push(viaExecutor);
      directTimes.push(viaDocker);
    }
    const executorMs = median(executorTimes);
    const directMs = median(directTimes);
    return { executorMs, directMs, overheadMs: executorMs - directMs };
  } finally {
    await executor.close();
    await rm(dir, { recursive: true, force: true });
  }
}
