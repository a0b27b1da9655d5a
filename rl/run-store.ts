// Reading and writing an RL run's records in the Store, and the blobs (prompts, completions) beside them.
import { ResearchError } from '../src/domain/errors.js';
import { newId } from '../src/domain/ids.js';
import { SCHEMA_VERSION } from '../src/domain/records.js';
import type { RlEpoch, RlRollout, RlRun, RlRunOptions } from '../src/domain/rl-records.js';
import { readArtifact, writeArtifact } from '../src/store/artifacts.js';
import type { Store } from '../src/store/store.js';
import type { Blobs } from './types.js';

export const epochId = (runId: string, epoch: number): string => `${runId}.e${epoch}`;
export const rolloutId = (runId: string, epoch: number, group: number, index: number): string =>
  `${runId}.e${epoch}.g${group}.r${index}`;

const now = (): string => new Date().toISOString();

export async function createRun(
  store: Store,
  input: { environment: string; options: RlRunOptions; id?: string },
): Promise<RlRun> {
  const at = now();
  const run: RlRun = {
    id: input.id ?? newId('rl'),
    schemaVersion: SCHEMA_VERSION,
    environment: input.environment,
    options: input.options,
    state: 'running',
    epoch: 0,
    policyVersion: 0,
    model: input.options.policy.model,
    createdAt: at,
    updatedAt: at,
  };
  await store.rlRuns.put(run);
  return run;
}

export async function getRun(store: Store, id: string): Promise<RlRun> {
  const run = await store.rlRuns.get(id);
  if (!run) throw new ResearchError('not_found', `no RL run ${id}; "groundwork rl list" shows the runs`);
  return run;
}

export async function saveRun(store: Store, run: RlRun, patch: Partial<RlRun>): Promise<RlRun> {
  const next = { ...run, ...patch, updatedAt: now() };
  await store.rlRuns.put(next);
  return next;
}

export async function saveEpoch(store: Store, epoch: RlEpoch, patch: Partial<RlEpoch> = {}): Promise<RlEpoch> {
  const next = { ...epoch, ...patch, updatedAt: now() };
  await store.rlEpochs.put(next);
  return next;
}

export function newEpoch(run: RlRun): RlEpoch {
  const at = now();
  return {
    id: epochId(run.id, run.epoch),
    schemaVersion: SCHEMA_VERSION,
    runId: run.id,
    epoch: run.epoch,
    state: 'sampling',
    policyVersion: run.policyVersion,
    model: run.model,
    prompts: [],
    createdAt: at,
    updatedAt: at,
  };
}

export async function saveRollout(store: Store, rollout: RlRollout, patch: Partial<RlRollout>): Promise<RlRollout> {
  const next = { ...rollout, ...patch, updatedAt: now() };
  await store.rlRollouts.put(next);
  return next;
}

/** One epoch's rollouts, by group then index. */
export async function epochRollouts(store: Store, runId: string, epoch: number): Promise<RlRollout[]> {
  const rollouts = await store.rlRollouts.list((r) => r.runId === runId && r.epoch === epoch);
  return rollouts.sort((a, b) => a.group - b.group || a.index - b.index);
}

/** Every finished epoch of a run, oldest first. */
export async function runEpochs(store: Store, runId: string): Promise<RlEpoch[]> {
  const epochs = await store.rlEpochs.list((e) => e.runId === runId);
  return epochs.sort((a, b) => a.epoch - b.epoch);
}

/** Blobs as artifacts under the data directory (`artifacts/<runId>/<name>`). */
export function artifactBlobs(home: string): Blobs {
  return {
    write: (runId, name, text) => writeArtifact(home, runId, name, text),
    read: (ref) => readArtifact(home, ref),
  };
}

/** Blobs in memory, for simulations. */
export function memoryBlobs(): Blobs {
  const texts = new Map<string, string>();
  return {
    async write(runId, name, text) {
      const ref = `${runId}/${name}`;
      texts.set(ref, text);
      return ref;
    },
    async read(ref) {
      const text = texts.get(ref);
      if (text === undefined) throw new ResearchError('not_found', `no blob ${ref}`);
      return text;
    },
  };
}
