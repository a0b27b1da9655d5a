// The local sandbox's cost: a `true` job through the local executor under bubblewrap vs unsandboxed, and torch threads.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Executor, JobSpec } from '../../src/executors/executor.js';
import { createLocalExecutor } from '../../src/executors/local.js';
import { probeBwrap } from '../../src/executors/local-sandbox.js';

export interface SandboxBench {
  /** Why bubblewrap did not run (then nothing else is measured). */
  skipped?: string;
  bwrapMs?: number;
  plainMs?: number;
  threadsInside?: number;
  threadsOutside?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function timeJob(executor: Executor, spec: JobSpec): Promise<number> {
  const started = performance.now();
  const exit = await executor.wait(await executor.start(spec));
  if (exit.exitCode !== 0) throw new Error(`bench job exited with ${exit.exitCode ?? exit.signal}`);
  return performance.now() - started;
}

/** Median wall time of a `true` job started and awaited through the local executor, sandboxed and not (interleaved). */
export async function benchSandbox(samples: number): Promise<SandboxBench> {
  const problem = probeBwrap('bwrap');
  if (problem) return { skipped: problem };
  const dir = await mkdtemp(join(tmpdir(), 'bench-sandbox-'));
  const sandboxed = createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'off' });
  const plain = createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'off', sandbox: 'off' });
  const spec = (jobId: string, command: string[]): JobSpec => ({
    jobId,
    command,
    cwd: dir,
    env: { PATH: '/usr/bin:/bin' },
    logPath: join(dir, `${jobId}.log`),
    timeLimitSec: 120,
    resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 120, evaluateTimeLimitSec: 120 },
    writable: [dir],
    readOnly: [],
    devices: [],
  });
  try {
    const inside: number[] = [];
    const outside: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const b = await timeJob(sandboxed, spec(`b${i}`, ['true']));
      const p = await timeJob(plain, spec(`p${i}`, ['true']));
      if (i >= 3) {
        inside.push(b);
        outside.push(p);
      }
    }
    const result: SandboxBench = { bwrapMs: median(inside), plainMs: median(outside) };
    const python = '/usr/bin/python3';
    const code = ['-c', 'import torch; print(torch.get_num_threads())'];
    if (existsSync(python) && spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) {
      await timeJob(sandboxed, spec('threads', [python, ...code]));
      result.threadsInside = Number((await readFile(join(dir, 'threads.log'), 'utf8')).trim());
      result.threadsOutside = Number(spawnSync(python, code, { encoding: 'utf8' }).stdout.trim());
    }
    return result;
  } finally {
    await sandboxed.close();
    await plain.close();
    await rm(dir, { recursive: true, force: true });
  }
}
