// The docker executor's shell where no engine is needed: an unreachable engine and handles of other executors.
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DockerHandle } from '../../../src/domain/job-handle.js';
import { createDockerExecutor } from '../../../src/executors/docker.js';
import type { JobSpec } from '../../../src/executors/executor.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function unreachable() {
  const socketPath = join(await tempDir(), 'no-docker.sock');
  const executor = createDockerExecutor({
    socketPath,
    image: 'busybox:latest',
    shmSizeGiB: 0.0625,
    pidsLimit: 256,
    gpuDriver: 'nvidia',
    killGraceSec: 1,
  });
  return { executor, socketPath };
}

describe('docker executor without an engine', () => {
  it('says the engine is unreachable and what to do, for a start, a poll and a reap', async () => {
    const { executor, socketPath } = await unreachable();
    const dir = await tempDir();
    const spec: JobSpec = {
      jobId: 'exp_1-s0-train',
      command: ['true'],
      cwd: dir,
      env: {},
      logPath: join(dir, 'logs', 'train.log'),
      timeLimitSec: 60,
      resources: { gpus: 0, cpus: 1, memoryGiB: 0.25, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
      writable: [dir],
      readOnly: [],
      devices: [],
    };
    const message = new RegExp(`cannot reach the Docker engine at ${socketPath}.*start dockerd`);
    await expect(executor.start(spec)).rejects.toMatchObject({ code: 'executor', retryable: true });
    await expect(executor.start(spec)).rejects.toThrow(message);
    const handle: DockerHandle = {
      executor: 'docker',
      jobId: spec.jobId,
      containerId: 'abc',
      startedAt: Date.now(),
      timeLimitSec: 60,
    };
    await expect(executor.poll(handle)).rejects.toThrow(message);
    await expect(executor.reap?.(() => false)).rejects.toThrow(message);
    await executor.close();
  });

  it('refuses a handle another executor made', async () => {
    const { executor } = await unreachable();
    const handle = { executor: 'local', jobId: 'exp_1-s0-train', pid: 1, startedAt: Date.now() } as const;
    await expect(executor.wait(handle)).rejects.toThrow(
      /not started by the docker executor \(its handle names local\)/,
    );
    await expect(executor.cancel(handle)).rejects.toMatchObject({ code: 'executor' });
    await executor.close();
  });
});
