// The container a job runs in, as plain data: no network, no capabilities, CPU/memory/pids limits, only its own mounts.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

import { refuseDataDirExposure } from './data-dir-guard.js';
import type { JobSpec } from './executor.js';

/** The engine settings a container takes from the executor's options rather than from the job. */
export interface ContainerSettings {
  /** The image for jobs whose environment names none (`JobSpec.image`). */
  image: string;
  shmSizeGiB: number;
  pidsLimit: number;
  /** DeviceRequests driver for GPU jobs (`nvidia` with the NVIDIA container toolkit). */
  gpuDriver: string;
  /**
   * Whose containers these are (e.g. the daemon's data directory): `reap` removes only containers of the same scope,
   * so daemons sharing one engine leave each other's jobs alone. Unset: every groundwork container is in scope.
   */
  scope?: string;
  /** The daemon's data directory: no mount may show its store, artifacts or daemon.json (see data-dir-guard.ts). */
  dataDir?: string;
}

/** One mount in the Docker engine API's words. */
export interface Mount {
  Type: 'bind' | 'tmpfs';
  Source: string;
  Target: string;
  ReadOnly: boolean;
  TmpfsOptions?: { SizeBytes: number; Mode: number };
}

/** The body of the engine's container-create call (a subset of dockerode's `ContainerCreateOptions`). */
export interface ContainerSpec {
  name: string;
  Image: string;
  Cmd: string[];
  WorkingDir: string;
  Env: string[];
  User?: string;
  Labels: Record<string, string>;
  Tty: false;
  HostConfig: {
    Mounts: Mount[];
    NetworkMode: 'none';
    NanoCpus: number;
    Memory: number;
    MemorySwap: number;
    PidsLimit: number;
    ShmSize: number;
    Init: boolean;
    AutoRemove: boolean;
    SecurityOpt: string[];
    CapDrop: string[];
    DeviceRequests?: { Driver: string; DeviceIDs: string[]; Capabilities: string[][] }[];
  };
}

export const LABEL_JOB = 'groundwork.job';
export const LABEL_MANAGED = 'groundwork.managed';
export const LABEL_SCOPE = 'groundwork.scope';
/** The host path of the job's log, so a re-attaching process can write it. */
export const LABEL_LOG = 'groundwork.log';
const GIB = 1024 ** 3;

/** A container name from a job id: Docker allows `[a-zA-Z0-9][a-zA-Z0-9_.-]*`. */
export function containerName(jobId: string): string {
  return `groundwork-${jobId.replace(/[^a-zA-Z0-9_.-]/g, '_')}`.slice(0, 200);
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The job's mounts: writable paths read-write and read-only paths read-only, each at its own path, and nothing else
 * of the host. A `hidden` path inside one of them is covered: an empty read-only tmpfs over a folder, /dev/null over
 * a file (hidden paths outside the mounts are invisible anyway).
 */
export async function jobMounts(spec: JobSpec): Promise<Mount[]> {
  const readOnly = [...new Set(spec.readOnly.map((path) => resolve(path)))];
  const writable = [...new Set(spec.writable.map((path) => resolve(path)))].filter((path) => !readOnly.includes(path));
  const mounted = [...writable, ...readOnly];
  const hidden = [...new Set((spec.hidden ?? []).map((path) => resolve(path)))].filter((path) =>
    mounted.some((folder) => isInside(path, folder)),
  );
  const covers = await Promise.all(
    hidden.map(async (path): Promise<Mount | undefined> => {
      const stats = await stat(path).catch(() => undefined);
      if (!stats) return undefined;
      return stats.isDirectory()
        ? { Type: 'tmpfs', Source: '', Target: path, ReadOnly: true, TmpfsOptions: { SizeBytes: 4096, Mode: 0 } }
        : { Type: 'bind', Source: '/dev/null', Target: path, ReadOnly: true };
    }),
  );
  return [
    ...writable.map((path) => ({ Type: 'bind' as const, Source: path, Target: path, ReadOnly: false })),
    ...readOnly.map((path) => ({ Type: 'bind' as const, Source: path, Target: path, ReadOnly: true })),
    ...covers.filter((mount) => mount !== undefined),
  ];
}

/** The container of one job: its command, its environment and nothing of this process's, its limits and labels. */
export async function createOptions(spec: JobSpec, settings: ContainerSettings): Promise<ContainerSpec> {
  refuseDataDirExposure(spec, settings.dataDir);
  const env = {
    ...spec.env,
    // DeviceRequests renumber the granted GPUs 0..n-1 inside the container.
    CUDA_VISIBLE_DEVICES: spec.devices.map((_, index) => String(index)).join(','),
  };
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return {
    name: containerName(spec.jobId),
    Image: spec.image ?? settings.image,
    Cmd: spec.command,
    WorkingDir: spec.cwd,
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    // Files the job writes into the run folder belong to whoever runs the daemon, who must clean them up.
    ...(uid !== undefined && gid !== undefined ? { User: `${uid}:${gid}` } : {}),
    Labels: {
      [LABEL_JOB]: spec.jobId,
      [LABEL_MANAGED]: '1',
      [LABEL_LOG]: resolve(spec.logPath),
      ...(settings.scope !== undefined ? { [LABEL_SCOPE]: settings.scope } : {}),
    },
    Tty: false,
    HostConfig: {
      Mounts: await jobMounts(spec),
      NetworkMode: 'none',
      NanoCpus: Math.round(spec.resources.cpus * 1e9),
      Memory: Math.round(spec.resources.memoryGiB * GIB),
      MemorySwap: Math.round(spec.resources.memoryGiB * GIB),
      PidsLimit: settings.pidsLimit,
      ShmSize: Math.round(settings.shmSizeGiB * GIB),
      // docker-init as PID 1 passes SIGTERM on to the job (a bare PID 1 ignores it).
      Init: true,
      AutoRemove: false,
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      ...(spec.devices.length > 0
        ? { DeviceRequests: [{ Driver: settings.gpuDriver, DeviceIDs: spec.devices, Capabilities: [['gpu']] }] }
        : {}),
    },
  };
}
