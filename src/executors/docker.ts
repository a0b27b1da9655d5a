// Docker executor: one container per job (no network, CPU/memory/pids limits, GPUs by DeviceRequests); re-attachable.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import Docker from 'dockerode';

import { dockerHost } from '../config/host-env.js';
import { ResearchError } from '../domain/errors.js';
import type { DockerHandle } from '../domain/job-handle.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { durationMs, watch, type Watch, type WatchedContainer } from './container-watch.js';
import { engineMessage, fault, missingImage, startFailure, statusCode } from './docker-errors.js';
import { type ContainerSettings, createOptions, LABEL_JOB, LABEL_MANAGED, LABEL_SCOPE } from './docker-spec.js';
import type { Executor, JobExit, JobSpec, JobStatus, RunHandle } from './executor.js';

export interface DockerExecutorOptions extends ContainerSettings {
  /** The engine's unix socket; default: $DOCKER_HOST, else /var/run/docker.sock. */
  socketPath?: string;
  /** Seconds between SIGTERM and SIGKILL when a job is stopped. */
  killGraceSec: number;
  log?: Logger;
}

function asDockerHandle(handle: RunHandle): DockerHandle {
  if (
    handle.executor === 'docker' &&
    typeof handle.containerId === 'string' &&
    typeof handle.startedAt === 'number' &&
    typeof handle.timeLimitSec === 'number'
  ) {
    return handle;
  }
  throw new ResearchError(
    'executor',
    `job ${handle.jobId} was not started by the docker executor (its handle names ${String(handle.executor)}); use the executor that started it`,
  );
}

export function createDockerExecutor(options: DockerExecutorOptions): Executor {
  const log = options.log ?? silentLogger;
  const engine = options.socketPath ? new Docker({ socketPath: options.socketPath }) : new Docker();
  const target = options.socketPath ?? dockerHost();
  const watches = new Map<string, Watch>();
  /** Exits this process saw, kept after their containers are removed. */
  const exits = new Map<string, JobExit>();
  let closed = false;

  const createContainer = async (spec: JobSpec): Promise<Docker.Container> => {
    const settings = await createOptions(spec, options);
    // dockerode would also copy every option into the query string (long URLs); send only the name there.
    const request = {
      _query: { name: settings.name },
      _body: settings satisfies Docker.ContainerCreateOptions,
    } as Docker.ContainerCreateOptions;
    for (let attempt = 0; ; attempt++) {
      try {
        return await engine.createContainer(request);
      } catch (error) {
        const status = statusCode(error);
        if (status === 404 && /no such image/i.test(engineMessage(error))) {
          throw missingImage(error, settings.Image, target);
        }
        if (status === 409 && attempt === 0) {
          // A container of the same job is left over from an earlier attempt: replace it unless it still runs.
          const existing = engine.getContainer(settings.name);
          const info = await existing.inspect().catch(() => undefined);
          if (info?.State.Running) {
            throw new ResearchError(
              'executor',
              `job ${spec.jobId} is already running in container ${settings.name}; cancel it first`,
            );
          }
          await existing.remove({ force: true, v: true }).catch(() => undefined);
          continue;
        }
        throw fault(error, `create for job ${spec.jobId}`, target);
      }
    }
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

  /** The engine calls a watch makes on one container. */
  const watched = (containerId: string): WatchedContainer => {
    const container = engine.getContainer(containerId);
    return {
      inspect: (signal) => (signal ? container.inspect({ abortSignal: signal }) : container.inspect()),
      wait: async (signal) => {
        const result = (await container.wait({ condition: 'not-running', abortSignal: signal })) as {
          StatusCode?: number;
        };
        return result.StatusCode;
      },
      followLogs: (signal) => container.logs({ follow: true, stdout: true, stderr: true, abortSignal: signal }),
      readLogs: () => container.logs({ follow: false, stdout: true, stderr: true }),
      stop: () => stopContainer(container),
    };
  };

  /** Follows a container until it exits: its log, its time limit, and its exit status. */
  const follow = (handle: DockerHandle, logPath?: string): Watch => {
    const current = watch({
      container: watched(handle.containerId),
      job: handle,
      ...(logPath !== undefined ? { logPath } : {}),
      target,
      log,
      onExit: (exit) => exits.set(handle.jobId, exit),
    });
    watches.set(handle.jobId, current);
    return current;
  };

  /** The job's exit once it has ended, with its container removed. */
  const finish = async (handle: DockerHandle): Promise<JobExit> => {
    const current = watches.get(handle.jobId) ?? (exits.get(handle.jobId) ? undefined : follow(handle));
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

    async start(spec: JobSpec): Promise<DockerHandle> {
      if (closed) throw new ResearchError('executor', 'the docker executor is closed');
      if (watches.get(spec.jobId)?.state.exited === false) {
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
        throw startFailure(error, spec, target, options.gpuDriver);
      }
      const handle: DockerHandle = {
        executor: 'docker',
        jobId: spec.jobId,
        containerId: container.id,
        startedAt,
        timeLimitSec: spec.timeLimitSec,
      };
      follow(handle, resolve(spec.logPath));
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
        throw fault(error, `inspect of job ${docker.jobId}`, target);
      }
      if (info.State.Status !== 'exited' && info.State.Status !== 'dead') return { state: 'running' };
      const known = watches.get(docker.jobId)?.state;
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
      await (watches.get(docker.jobId) ?? follow(docker)).stop('cancelled');
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
        throw fault(error, 'listing containers', target);
      }
      const removed: string[] = [];
      for (const container of containers) {
        const jobId = container.Labels[LABEL_JOB];
        if (jobId === undefined || keep(jobId)) continue;
        try {
          await engine.getContainer(container.Id).remove({ force: true, v: true });
        } catch (error) {
          if (statusCode(error) !== 404) throw fault(error, `removing the container of job ${jobId}`, target);
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
