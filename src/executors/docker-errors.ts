// What a failed Docker engine call means, as an `executor` error that says what to do.
import { errorMessage, ResearchError } from '../domain/errors.js';
import type { JobSpec } from './executor.js';

/** Client error codes that mean the engine could not be reached at all (no daemon, no permission, broken socket). */
export const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE', 'ENOTFOUND']);

/** The HTTP status of a failed engine call; undefined when the call never got an answer. */
export function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's own words for a failed call (`{"message": ...}`), else the client's. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | undefined)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (Buffer.isBuffer(json)) return json.toString('utf8').trim() || errorMessage(error);
  return errorMessage(error);
}

export function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'AbortError';
}

/** An `executor` error for a failed engine call (`what`) to the engine at `target`, saying what to do. */
export function fault(error: unknown, what: string, target: string): ResearchError {
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
}

/** The container of a job vanished before this process saw it exit (`details.gone`). */
export function gone(jobId: string): ResearchError {
  return new ResearchError(
    'executor',
    `the container of job ${jobId} is gone (removed by hand or by a clean-up) and its exit was not seen here; run the job again`,
    { retryable: true, details: { gone: true } },
  );
}

/** The job's image is not in the engine (nothing is pulled). */
export function missingImage(error: unknown, image: string, target: string): ResearchError {
  return new ResearchError(
    'executor',
    `image ${image} is not present in the Docker engine at ${target}; build it with \`npm run image:cpu\` or the environment's Dockerfile (nothing is pulled)`,
    { cause: error },
  );
}

/** A failed container start; a GPU job on an engine without the device driver is told how to install it. */
export function startFailure(error: unknown, spec: JobSpec, target: string, gpuDriver: string): ResearchError {
  const message = engineMessage(error);
  if (/could not select device driver/i.test(message)) {
    return new ResearchError(
      'executor',
      `job ${spec.jobId} needs GPUs ${spec.devices.join(',')} but the Docker engine at ${target} has no "${gpuDriver}" device driver (${message}); install the NVIDIA container toolkit, run \`nvidia-ctk runtime configure --runtime=docker\` and restart dockerd, or set executor.docker.gpuDriver`,
      { cause: error },
    );
  }
  return fault(error, `start for job ${spec.jobId}`, target);
}
