// Job handles: what each executor hands out for a started job, and the persisted job (handle plus resume data).

/** A child process of this machine (its process group id is `pid`). */
export interface LocalHandle {
  executor: 'local';
  jobId: string;
  pid: number;
  /** Epoch ms when the process was started. */
  startedAt: number;
  /** The process's start time in clock ticks (`/proc/<pid>/stat`), so a reused pid is not taken for the job. */
  startTicks?: string;
}

/** A container: enough for another process to find it again. */
export interface DockerHandle {
  executor: 'docker';
  jobId: string;
  containerId: string;
  /** Epoch ms when the container was started; the time limit runs from here, also after a re-attach. */
  startedAt: number;
  timeLimitSec: number;
}

/** A Slurm batch job. */
export interface SlurmHandle {
  executor: 'slurm';
  jobId: string;
  slurmJobId: string;
  /** When the job was submitted (ms since the epoch). */
  startedAt: number;
  timeLimitSec: number;
  logPath: string;
}

/** A job of the scripted test executor. */
export interface FakeHandle {
  executor: 'fake';
  jobId: string;
}

/** Plain JSON, persisted by the scheduler so a restarted daemon can find the job again. */
export type RunHandle = LocalHandle | DockerHandle | SlurmHandle | FakeHandle;

/** The step of a run a job performs. */
export type JobStep = 'train' | 'evaluate';

/** What the scheduler records for a started job: the executor's handle and what resuming the run after it needs. */
export interface PersistedJob {
  handle: RunHandle;
  step: JobStep;
  /** Frozen-file hashes taken before training (for the tamper check after it); empty for the evaluate step. */
  frozen: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isHandle = (value: unknown): value is RunHandle =>
  isObject(value) && typeof value.jobId === 'string' && typeof value.executor === 'string';

/**
 * A persisted job as stored. Records written before handle and resume data were separated hold one flat object
 * (`{ executor, jobId, …, step, frozen }`); both shapes are read. Undefined when there is no usable handle or no
 * resume data.
 */
export function readPersistedJob(stored: unknown): PersistedJob | undefined {
  const handle = storedHandle(stored);
  if (!handle || !isObject(stored)) return undefined;
  const { step, frozen } = stored;
  if ((step !== 'train' && step !== 'evaluate') || !isObject(frozen)) return undefined;
  return { handle, step, frozen: frozen as Record<string, string> };
}

/** The executor's handle of a stored job, in either stored shape, even when it has no resume data. */
export function storedHandle(stored: unknown): RunHandle | undefined {
  if (!isObject(stored)) return undefined;
  if (isHandle(stored.handle)) return stored.handle;
  if (!isHandle(stored)) return undefined;
  // The flat shape: the handle's fields with the resume data beside them.
  const handle: Record<string, unknown> = { ...stored };
  delete handle.step;
  delete handle.frozen;
  return handle as unknown as RunHandle;
}
