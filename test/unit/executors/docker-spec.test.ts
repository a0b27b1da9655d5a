// The docker executor's container spec without an engine: isolation, mounts, devices, limits, labels, environment.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { containerName, createOptions, type ContainerSettings, jobMounts } from '../../../src/executors/docker-spec.js';
import type { JobSpec } from '../../../src/executors/executor.js';
import { tempDir } from '../../helpers/temp-dir.js';

const settings: ContainerSettings = {
  image: 'groundwork/cpu:latest',
  shmSizeGiB: 2,
  pidsLimit: 512,
  gpuDriver: 'nvidia',
};
const GIB = 1024 ** 3;

/** A run's folders as the run pipeline lays them out. */
async function runFolders() {
  const root = await tempDir();
  const folders = {
    environment: join(root, 'environments', 'tiny-lm'),
    data: join(root, 'data', 'tiny-lm'),
    workspace: join(root, 'runs', 'exp_1-s0', 'workspace'),
    checkpoint: join(root, 'runs', 'exp_1-s0', 'checkpoint'),
    harness: join(root, 'runs', 'exp_1-s0', 'harness'),
    out: join(root, 'runs', 'exp_1-s0', 'out'),
    home: join(root, 'runs', 'exp_1-s0', 'home'),
  };
  for (const folder of Object.values(folders)) await mkdir(folder, { recursive: true });
  return folders;
}

function job(overrides: Partial<JobSpec>): JobSpec {
  return {
    jobId: 'exp_1-s0-train',
    command: ['python', 'train.py'],
    cwd: '/nowhere',
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    logPath: '/nowhere/logs/train.log',
    timeLimitSec: 600,
    resources: { gpus: 0, cpus: 2.5, memoryGiB: 3, timeLimitSec: 600, evaluateTimeLimitSec: 60 },
    writable: [],
    readOnly: [],
    devices: [],
    ...overrides,
  };
}

const bind = (path: string, readOnly: boolean) => ({ Type: 'bind', Source: path, Target: path, ReadOnly: readOnly });

describe('docker container spec', () => {
  afterEach(() => {
    delete process.env.GROUNDWORK_SPEC_SECRET;
  });

  it('gives the job no network, no capabilities and no new privileges', async () => {
    const spec = await createOptions(job({}), settings);
    expect(spec.HostConfig.NetworkMode).toBe('none');
    expect(spec.HostConfig.CapDrop).toEqual(['ALL']);
    expect(spec.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(spec.HostConfig.Init).toBe(true);
    expect(spec.Tty).toBe(false);
    expect(spec.User).toBe(`${process.getuid?.()}:${process.getgid?.()}`);
  });

  it('mounts harness, checkpoint, data and environment read-only for evaluation, and only its outputs writable', async () => {
    const run = await runFolders();
    const spec = await createOptions(
      job({
        jobId: 'exp_1-s0-evaluate',
        cwd: run.workspace,
        writable: [run.out, run.home],
        readOnly: [run.environment, run.workspace, run.checkpoint, run.harness, run.data],
      }),
      settings,
    );
    expect(spec.HostConfig.Mounts).toEqual([
      bind(run.out, false),
      bind(run.home, false),
      bind(run.environment, true),
      bind(run.workspace, true),
      bind(run.checkpoint, true),
      bind(run.harness, true),
      bind(run.data, true),
    ]);
  });

  it('mounts the workspace writable for training, the environment and training data read-only, nothing else', async () => {
    const run = await runFolders();
    const spec = await createOptions(
      job({
        cwd: run.workspace,
        writable: [run.workspace, run.checkpoint, run.home, run.out],
        readOnly: [run.environment, run.data],
      }),
      settings,
    );
    expect(spec.WorkingDir).toBe(run.workspace);
    expect(spec.HostConfig.Mounts).toEqual([
      bind(run.workspace, false),
      bind(run.checkpoint, false),
      bind(run.home, false),
      bind(run.out, false),
      bind(run.environment, true),
      bind(run.data, true),
    ]);
  });

  it('keeps a path read-only that is also listed writable, and mounts each path once', async () => {
    const run = await runFolders();
    const mounts = await jobMounts(
      job({ writable: [run.workspace, `${run.workspace}/`, run.data], readOnly: [run.data, run.data] }),
    );
    expect(mounts).toEqual([bind(run.workspace, false), bind(run.data, true)]);
  });

  it('covers hidden paths inside a mount (a folder with an empty tmpfs, a file with /dev/null) and ignores others', async () => {
    const run = await runFolders();
    await mkdir(join(run.environment, 'harness'));
    await writeFile(join(run.environment, 'answers.txt'), 'answers\n');
    const mounts = await jobMounts(
      job({
        writable: [run.workspace],
        readOnly: [run.environment],
        hidden: [
          join(run.environment, 'harness'),
          join(run.environment, 'answers.txt'),
          join(run.environment, 'absent'),
          '/elsewhere/not-mounted',
        ],
      }),
    );
    expect(mounts).toEqual([
      bind(run.workspace, false),
      bind(run.environment, true),
      {
        Type: 'tmpfs',
        Source: '',
        Target: join(run.environment, 'harness'),
        ReadOnly: true,
        TmpfsOptions: { SizeBytes: 4096, Mode: 0 },
      },
      { Type: 'bind', Source: '/dev/null', Target: join(run.environment, 'answers.txt'), ReadOnly: true },
    ]);
  });

  it('requests exactly the allocated GPUs and numbers them from 0 inside the container', async () => {
    const spec = await createOptions(job({ devices: ['2', '5'] }), settings);
    expect(spec.HostConfig.DeviceRequests).toEqual([
      { Driver: 'nvidia', DeviceIDs: ['2', '5'], Capabilities: [['gpu']] },
    ]);
    expect(spec.Env).toContain('CUDA_VISIBLE_DEVICES=0,1');
  });

  it('requests no device for a CPU job and hides every GPU from it', async () => {
    const spec = await createOptions(job({ devices: [] }), settings);
    expect(spec.HostConfig).not.toHaveProperty('DeviceRequests');
    expect(spec.Env).toContain('CUDA_VISIBLE_DEVICES=');
  });

  it('passes the job its own environment and nothing of this process', async () => {
    process.env.GROUNDWORK_SPEC_SECRET = 'sk-do-not-pass';
    const spec = await createOptions(job({ env: { PATH: '/usr/bin:/bin', GROUNDWORK_OUT: '/run/out' } }), settings);
    expect(spec.Env).toEqual(['PATH=/usr/bin:/bin', 'GROUNDWORK_OUT=/run/out', 'CUDA_VISIBLE_DEVICES=']);
    expect(JSON.stringify(spec)).not.toContain('sk-do-not-pass');
  });

  it('applies the CPU, memory, pids and shared-memory limits, with no swap beyond the memory limit', async () => {
    const spec = await createOptions(job({}), settings);
    expect(spec.HostConfig).toMatchObject({
      NanoCpus: 2.5e9,
      Memory: 3 * GIB,
      MemorySwap: 3 * GIB,
      PidsLimit: 512,
      ShmSize: 2 * GIB,
      AutoRemove: false,
    });
  });

  it('uses the environment image before the default, and labels the container with its job, log and scope', async () => {
    expect((await createOptions(job({}), settings)).Image).toBe('groundwork/cpu:latest');
    const spec = await createOptions(job({ image: 'groundwork/gpu:1', jobId: 'exp/1 s0' }), {
      ...settings,
      scope: '/home/a/.groundwork',
    });
    expect(spec.Image).toBe('groundwork/gpu:1');
    expect(spec.name).toBe(containerName('exp/1 s0'));
    expect(spec.name).toBe('groundwork-exp_1_s0');
    expect(spec.Cmd).toEqual(['python', 'train.py']);
    expect(spec.Labels).toEqual({
      'groundwork.job': 'exp/1 s0',
      'groundwork.managed': '1',
      'groundwork.log': '/nowhere/logs/train.log',
      'groundwork.scope': '/home/a/.groundwork',
    });
    expect((await createOptions(job({}), settings)).Labels).not.toHaveProperty('groundwork.scope');
  });
});
