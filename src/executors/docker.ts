// Docker executor: one container per job (no network, CPU/memory/pids limits, GPUs by DeviceRequests); re-attachable.
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import Docker from 'dockerode';

import { errorMessage, ResearchError } from '../domain/errors.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { createLogDemuxer } from './docker-frames.js';
import type { Executor, JobExit, JobSpec, JobStatus, RunHandle } from './executor.js';

export interface DockerExecutorOptions {
  /** The engine's unix socket; default: $DOCKER_HOST, else /var/run/docker.sock. */
  socketPath?: string;
  /** The image for jobs whose environment names none (`JobSpec.image`). */
  image: string;
  shmSizeGiB: number;
  pidsLimit: number;
  /** DeviceRequests driver for GPU jobs (`nvidia` with the NVIDIA container toolkit). */
  gpuDriver: string;
  /** Seconds between SIGTERM and SIGKILL when a job is stopped. */
  killGraceSec: number;
  /**
   * Whose containers these are (e.g. the daemon's data directory): `reap` removes only containers of the same scope,
   * so daemons sharing one engine leave each other's jobs alone. Unset: every groundwork container is in scope.
   */
  scope?: string;
  log?: Logger;
}

/** What the scheduler persists for a container job: enough for another process to find it again. */
interface DockerHandle extends RunHandle {
  executor: 'docker';
  containerId: string;
  /** Epoch ms when the container was started; the time limit runs from here, also after a re-attach. */
  startedAt: number;
  timeLimitSec: number;
}

/** This process's view of one container it follows until it exits. */
interface Watch {
  done: Promise<JobExit>;
  exited: boolean;
  cancelled: boolean;
  timedOut: boolean;
  removed?: Promise<void>;
  /** Stops the container if it still runs, recording why (a job that ended on its own is neither). */
  stop(reason: 'cancelled' | 'timedOut'): Promise<void>;
  detach(): void;
}

const LABEL_JOB = 'groundwork.job';
const LABEL_MANAGED = 'groundwork.managed';
const LABEL_SCOPE = 'groundwork.scope';
/** The host path of the job's log, so a re-attaching process can write it. */
const LABEL_LOG = 'groundwork.log';
const GIB = 1024 ** 3;
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE', 'ENOTFOUND']);
/** How long a finished job's log stream may take to drain before the log is re-read from the engine. */
const LOG_DRAIN_MS = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A container name from a job id: Docker allows `[a-zA-Z0-9][a-zA-Z0-9_.-]*`. */
export function containerName(jobId: string): string {
  return `groundwork-${jobId.replace(/[^a-zA-Z0-9_.-]/g, '_')}`.slice(0, 200);
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's own words for a failed call (`{"message": ...}`), else the client's. */
function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | undefined)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (Buffer.isBuffer(json)) return json.toString('utf8').trim() || errorMessage(error);
  return errorMessage(error);
}

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'AbortError';
}

function asDockerHandle(handle: RunHandle): DockerHandle {
  const { containerId, startedAt, timeLimitSec } = handle;
  if (
    handle.executor !== 'docker' ||
    typeof containerId !== 'string' ||
    typeof startedAt !== 'number' ||
    typeof timeLimitSec !== 'number'
  ) {
    throw new ResearchError(
      'executor',
      `job ${handle.jobId} was not started by the docker executor (its handle names ${String(handle.executor)}); use the executor that started it`,
    );
  }
  return handle as DockerHandle;
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
async function jobMounts(spec: JobSpec): Promise<Docker.MountSettings[]> {
  const readOnly = [...new Set(spec.readOnly.map((path) => resolve(path)))];
  const writable = [...new Set(spec.writable.map((path) => resolve(path)))].filter((path) => !readOnly.includes(path));
  const mounted = [...writable, ...readOnly];
  const hidden = [...new Set((spec.hidden ?? []).map((path) => resolve(path)))].filter((path) =>
    mounted.some((folder) => isInside(path, folder)),
  );
  const covers = await Promise.all(
    hidden.map(async (path): Promise<Docker.MountSettings | undefined> => {
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

function durationMs(state: Docker.ContainerInspectInfo['State'] | undefined, fallbackStart: number): number {
  const started = state ? Date.parse(state.StartedAt) : NaN;
  const finished = state ? Date.parse(state.FinishedAt) : NaN;
  if (Number.isFinite(started) && Number.isFinite(finished) && finished >= started) return finished - started;
  return Math.max(0, Date.now() - fallbackStart);
}

export function createDockerExecutor(options: DockerExecutorOptions): Executor {
  const log = options.log ?? silentLogger;
  const engine = options.socketPath ? new Docker({ socketPath: options.socketPath }) : new Docker();
  const target = options.socketPath ?? process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  const watches = new Map<string, Watch>();
  /** Exits this process saw, kept after their containers are removed. */
  const exits = new Map<string, JobExit>();
  let closed = false;

  /** An `executor` error for a failed engine call, saying what to do. */
  const fault = (error: unknown, what: string): ResearchError => {
    if (ResearchError.is(error)) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (statusCode(error) === undefined && code && UNREACHABLE.has(code)) {
      return new ResearchError(
        'executor',
        `cannot reach the Docker engine at ${target}: ${errorMessage(error)}; start dockerd or set executor.docker.socketPath`,
        { retryable: true, cause: error },
      );
    }
    return new ResearchError('executor', `docker ${what} failed: ${engineMessage(error)}`, { cause: error });
  };

  const gone = (jobId: string): ResearchError =>
    new ResearchError(
      'executor',
      `the container of job ${jobId} is gone (removed by hand or by a clean-up) and its exit was not seen here; run the job again`,
      { retryable: true, details: { gone: true } },
    );

  const createOptions = async (spec: JobSpec): Promise<Docker.ContainerCreateOptions> => {
    const env = {
      ...spec.env,
      // DeviceRequests renumber the granted GPUs 0..n-1 inside the container.
      CUDA_VISIBLE_DEVICES: spec.devices.map((_, index) => String(index)).join(','),
    };
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    return {
      name: containerName(spec.jobId),
      Image: spec.image ?? options.image,
      Cmd: spec.command,
      WorkingDir: spec.cwd,
      Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
      // Files the job writes into the run folder belong to whoever runs the daemon, who must clean them up.
      ...(uid !== undefined && gid !== undefined ? { User: `${uid}:${gid}` } : {}),
      Labels: {
        [LABEL_JOB]: spec.jobId,
        [LABEL_MANAGED]: '1',
        [LABEL_LOG]: resolve(spec.logPath),
        ...(options.scope !== undefined ? { [LABEL_SCOPE]: options.scope } : {}),
      },
      Tty: false,
      HostConfig: {
        Mounts: await jobMounts(spec),
        NetworkMode: 'none',
        NanoCpus: Math.round(spec.resources.cpus * 1e9),
        Memory: Math.round(spec.resources.memoryGiB * GIB),
        MemorySwap: Math.round(spec.resources.memoryGiB * GIB),
        PidsLimit: options.pidsLimit,
        ShmSize: Math.round(options.shmSizeGiB * GIB),
        // docker-init as PID 1 passes SIGTERM on to the job (a bare PID 1 ignores it).
        Init: true,
        AutoRemove: false,
        SecurityOpt: ['no-new-privileges'],
        CapDrop: ['ALL'],
        ...(spec.devices.length > 0
          ? { DeviceRequests: [{ Driver: options.gpuDriver, DeviceIDs: spec.devices, Capabilities: [['gpu']] }] }
          : {}),
      },
    };
  };

  const createContainer = async (spec: JobSpec): Promise<Docker.Container> => {
    const settings = await createOptions(spec);
    // dockerode would also copy every option into the query string (long URLs); send only the name there.
    const request = { _query: { name: settings.name }, _body: settings } as Docker.ContainerCreateOptions;
    for (let attempt = 0; ; attempt++) {
      try {
        return await engine.createContainer(request);
      } catch (error) {
        const status = statusCode(error);
        if (status === 404 && /no such image/i.test(engineMessage(error))) {
          throw new ResearchError(
            'executor',
            `image ${settings.Image as string} is not present in the Docker engine at ${target}; build it with \`npm run image:cpu\` or the environment's Dockerfile (nothing is pulled)`,
            { cause: error },
          );
        }
        if (status === 409 && attempt === 0) {
          // A container of the same job is left over from an earlier attempt: replace it unless it still runs.
          const existing = engine.getContainer(settings.name as string);
          const info = await existing.inspect().catch(() => undefined);
          if (info?.State.Running) {
            throw new ResearchError(
              'executor',
              `job ${spec.jobId} is already running in container ${settings.name as string}; cancel it first`,
            );
          }
          await existing.remove({ force: true, v: true }).catch(() => undefined);
          continue;
        }
        throw fault(error, `create for job ${spec.jobId}`);
      }
    }
  };

  const startFailure = (error: unknown, spec: JobSpec): ResearchError => {
    const message = engineMessage(error);
    if (/could not select device driver/i.test(message)) {
      return new ResearchError(
        'executor',
        `job ${spec.jobId} needs GPUs ${spec.devices.join(',')} but the Docker engine at ${target} has no "${options.gpuDriver}" device driver (${message}); install the NVIDIA container toolkit, run \`nvidia-ctk runtime configure --runtime=docker\` and restart dockerd, or set executor.docker.gpuDriver`,
        { cause: error },
      );
    }
    return fault(error, `start for job ${spec.jobId}`);
  };

  /** Stops a container: SIGTERM, then SIGKILL after the grace period. Quiet when it has stopped already. */
  const stopContainer = async (container: Docker.Container): Promise<void> => {
    try {
      await container.stop({ t: options.killGraceSec });
    } catch (error) {
      const status = statusCode(error);
      if (status === 304 || status === 404) return;
      log.warn('docker stop failed; killing', { container: container.id, error: engineMessage(error) });
      await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    }
  };

  /** Copies the container's output into the log file while it runs; false when the stream broke off. */
  const followLog = async (container: Docker.Container, logPath: string, signal: AbortSignal): Promise<boolean> => {
    try {
      await mkdir(dirname(logPath), { recursive: true });
      const stream = await container.logs({ follow: true, stdout: true, stderr: true, abortSignal: signal });
      await pipeline(stream, createLogDemuxer(), createWriteStream(logPath), { signal });
      return true;
    } catch (error) {
      if (!signal.aborted) log.warn('following a container log failed', { logPath, error: errorMessage(error) });
      return false;
    }
  };

  /** Writes the whole log again from the engine (after a broken or slow stream). */
  const rewriteLog = async (container: Docker.Container, logPath: string): Promise<void> => {
    try {
      const frames = await container.logs({ follow: false, stdout: true, stderr: true });
      await pipeline(Readable.from([frames]), createLogDemuxer(), createWriteStream(logPath));
    } catch (error) {
      log.warn('reading a container log failed', { logPath, error: errorMessage(error) });
    }
  };

  /** Follows a container until it exits: its log, its time limit, and its exit status. */
  const watch = (handle: DockerHandle, knownLogPath?: string): Watch => {
    const container = engine.getContainer(handle.containerId);
    const controller = new AbortController();
    const logControl = new AbortController();
    const abortLog = (): void => logControl.abort();
    controller.signal.addEventListener('abort', abortLog, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const deadline = handle.startedAt + handle.timeLimitSec * 1000;
    const state: Watch = {
      done: Promise.resolve() as unknown as Promise<JobExit>,
      exited: false,
      cancelled: false,
      timedOut: false,
      stop: async (reason) => {
        if (state.exited) return;
        const info = await container.inspect().catch(() => undefined);
        if (!info?.State.Running || state.exited) return;
        state[reason] = true;
        await stopContainer(container);
      },
      detach: () => {
        if (timer) clearTimeout(timer);
        controller.abort();
      },
    };
    const arm = (): void => {
      const left = deadline - Date.now();
      timer = setTimeout(
        () => {
          if (Date.now() < deadline) return arm();
          log.info('job reached its time limit; stopping its container', { jobId: handle.jobId });
          void state.stop('timedOut');
        },
        Math.max(0, Math.min(left, MAX_TIMER_MS)),
      );
    };
    state.done = (async () => {
      let logPath = knownLogPath;
      if (logPath === undefined) {
        const info = await container.inspect({ abortSignal: controller.signal }).catch((error: unknown) => {
          throw statusCode(error) === 404 ? gone(handle.jobId) : fault(error, `inspect of job ${handle.jobId}`);
        });
        logPath = info.Config.Labels?.[LABEL_LOG];
      }
      arm();
      const logging = logPath ? followLog(container, logPath, logControl.signal) : Promise.resolve(true);
      let statusFromWait: number | undefined;
      try {
        const result = (await container.wait({ condition: 'not-running', abortSignal: controller.signal })) as {
          StatusCode?: number;
        };
        statusFromWait = result.StatusCode;
      } catch (error) {
        if (controller.signal.aborted || isAbort(error)) {
          throw new ResearchError(
            'executor',
            `stopped following job ${handle.jobId}: the docker executor was closed (the container keeps running; a new daemon re-attaches to it)`,
          );
        }
        throw statusCode(error) === 404 ? gone(handle.jobId) : fault(error, `wait for job ${handle.jobId}`);
      } finally {
        if (timer) clearTimeout(timer);
      }
      state.exited = true;
      const info = await container.inspect().catch(() => undefined);
      if (logPath) {
        const drained = await Promise.race([
          logging,
          new Promise<false>((resolveLater) => setTimeout(() => resolveLater(false), LOG_DRAIN_MS).unref()),
        ]);
        if (!drained) {
          abortLog();
          await logging;
          await rewriteLog(container, logPath);
        }
      }
      const exit: JobExit = {
        exitCode: info?.State.ExitCode ?? statusFromWait ?? null,
        signal: null,
        timedOut: state.timedOut,
        cancelled: state.cancelled,
        oomKilled: info?.State.OOMKilled ?? false,
        durationMs: durationMs(info?.State, handle.startedAt),
      };
      exits.set(handle.jobId, exit);
      return exit;
    })();
    state.done.catch(() => undefined);
    watches.set(handle.jobId, state);
    return state;
  };

  /** The job's exit once it has ended, with its container removed. */
  const finish = async (handle: DockerHandle): Promise<JobExit> => {
    const current = watches.get(handle.jobId) ?? (exits.get(handle.jobId) ? undefined : watch(handle));
    if (!current) return exits.get(handle.jobId) as JobExit;
    try {
      const exit = await current.done;
      current.removed ??= engine
        .getContainer(handle.containerId)
        .remove({ force: true, v: true })
        .catch((error: unknown) => {
          if (statusCode(error) !== 404) log.warn('removing a container failed', { error: engineMessage(error) });
        });
      await current.removed;
      return exit;
    } finally {
      if (watches.get(handle.jobId) === current) watches.delete(handle.jobId);
    }
  };

  return {
    kind: 'docker',
    reattachable: true,
    managesDevices: false,
    detectsOom: true,

    async start(spec: JobSpec): Promise<RunHandle> {
      if (closed) throw new ResearchError('executor', 'the docker executor is closed');
      if (watches.get(spec.jobId)?.exited === false) {
        throw new ResearchError('executor', `job ${spec.jobId} is already running`);
      }
      exits.delete(spec.jobId);
      await mkdir(dirname(spec.logPath), { recursive: true });
      const container = await createContainer(spec);
      const startedAt = Date.now();
      try {
        await container.start();
      } catch (error) {
        await container.remove({ force: true, v: true }).catch(() => undefined);
        throw startFailure(error, spec);
      }
      const handle: DockerHandle = {
        executor: 'docker',
        jobId: spec.jobId,
        containerId: container.id,
        startedAt,
        timeLimitSec: spec.timeLimitSec,
      };
      watch(handle, resolve(spec.logPath));
      return handle;
    },

    async wait(handle: RunHandle): Promise<JobExit> {
      return finish(asDockerHandle(handle));
    },

    async poll(handle: RunHandle): Promise<JobStatus> {
      const docker = asDockerHandle(handle);
      const seen = exits.get(docker.jobId);
      if (seen) return { state: 'exited', ...seen };
      let info: Docker.ContainerInspectInfo;
      try {
        info = await engine.getContainer(docker.containerId).inspect();
      } catch (error) {
        if (statusCode(error) === 404) {
          return { state: 'lost', reason: 'its container was removed and this daemon did not see it exit' };
        }
        throw fault(error, `inspect of job ${docker.jobId}`);
      }
      if (info.State.Status !== 'exited' && info.State.Status !== 'dead') return { state: 'running' };
      const known = watches.get(docker.jobId);
      return {
        state: 'exited',
        exitCode: info.State.ExitCode,
        signal: null,
        timedOut: known?.timedOut ?? false,
        cancelled: known?.cancelled ?? false,
        oomKilled: info.State.OOMKilled,
        durationMs: durationMs(info.State, docker.startedAt),
      };
    },

    async cancel(handle: RunHandle): Promise<void> {
      const docker = asDockerHandle(handle);
      if (!watches.has(docker.jobId) && exits.has(docker.jobId)) return;
      await (watches.get(docker.jobId) ?? watch(docker)).stop('cancelled');
      try {
        await finish(docker);
      } catch (error) {
        if (ResearchError.is(error) && error.details?.gone) return;
        throw error;
      }
    },

    async reap(keep: (jobId: string) => boolean): Promise<string[]> {
      let containers: Docker.ContainerInfo[];
      try {
        const labels = [
          `${LABEL_MANAGED}=1`,
          ...(options.scope !== undefined ? [`${LABEL_SCOPE}=${options.scope}`] : []),
        ];
        containers = await engine.listContainers({ all: true, filters: { label: labels } });
      } catch (error) {
        throw fault(error, 'listing containers');
      }
      const removed: string[] = [];
      for (const container of containers) {
        const jobId = container.Labels[LABEL_JOB];
        if (jobId === undefined || keep(jobId)) continue;
        try {
          await engine.getContainer(container.Id).remove({ force: true, v: true });
        } catch (error) {
          if (statusCode(error) !== 404) throw fault(error, `removing the container of job ${jobId}`);
        }
        watches.get(jobId)?.detach();
        watches.delete(jobId);
        removed.push(jobId);
      }
      if (removed.length > 0) log.info('removed containers left by earlier daemons', { jobs: removed });
      return removed;
    },

    async close(): Promise<void> {
      // Containers keep running: the executor is re-attachable, and the scheduler cancels what it must.
      closed = true;
      for (const current of watches.values()) current.detach();
      watches.clear();
    },
  };
}
