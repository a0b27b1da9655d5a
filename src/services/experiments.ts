// Use cases: queue an implementation as an experiment, follow it, cancel it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { type Experiment, SCHEMA_VERSION } from '../domain/records.js';
import type { ChangedFile } from '../environments/workspace.js';
import type { ServiceDeps } from './deps.js';

export interface RunExperimentInput {
  implementationId: string;
  seeds?: number[];
  profile?: string;
  searchId?: string;
}

export const MAX_SEEDS = 10;

export async function runExperiment(deps: ServiceDeps, input: RunExperimentInput): Promise<Experiment> {
  const implementation = await deps.store.implementations.get(input.implementationId);
  if (!implementation) {
    throw new ResearchError(
      'not_found',
      `no implementation ${input.implementationId}; use an id returned by implement_idea`,
    );
  }
  if (implementation.status !== 'ready') {
    throw new ResearchError(
      'bad_input',
      `implementation ${implementation.id} failed (${implementation.error?.message ?? 'no edit'}); implement the idea again with a corrected edit`,
    );
  }
  const seeds = input.seeds ?? [0];
  if (seeds.length < 1 || seeds.length > MAX_SEEDS || seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
    throw new ResearchError(
      'bad_input',
      `seeds must be 1 to ${MAX_SEEDS} non-negative integers; got ${JSON.stringify(seeds)}`,
    );
  }
  const environment = await deps.environments.get(implementation.environment);
  const profile = input.profile ?? 'default';
  if (profile !== 'default' && !environment.manifest.profiles[profile]) {
    throw new ResearchError(
      'bad_input',
      `environment ${environment.manifest.name} has no profile "${profile}"; profiles: default, ${Object.keys(environment.manifest.profiles).join(', ')}`,
    );
  }
  const now = new Date().toISOString();
  const experiment: Experiment = {
    id: newId('exp'),
    schemaVersion: SCHEMA_VERSION,
    implementationId: implementation.id,
    ideaId: implementation.ideaId,
    environment: implementation.environment,
    profile,
    ...(input.searchId ? { searchId: input.searchId } : {}),
    state: 'queued',
    runs: [...new Set(seeds)].map((seed) => ({ seed, state: 'queued', attempt: 1 })),
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.experiments.put(experiment);
  deps.scheduler.wake();
  return experiment;
}

export async function getExperiment(deps: ServiceDeps, id: string): Promise<Experiment> {
  const experiment = await deps.store.experiments.get(id);
  if (!experiment) throw new ResearchError('not_found', `no experiment ${id}; use an id returned by run_experiment`);
  return experiment;
}

/** The changed files of an implementation, read back from its artifacts. */
export async function loadChanges(
  deps: Pick<ServiceDeps, 'store' | 'config'>,
  implementationId: string,
): Promise<ChangedFile[]> {
  const implementation = await deps.store.implementations.get(implementationId);
  if (!implementation) throw new ResearchError('not_found', `no implementation ${implementationId}`);
  return Promise.all(
    implementation.changes.map(async (change) => ({
      path: change.path,
      content: change.artifact === null ? null : await readFile(join(deps.config.home, change.artifact), 'utf8'),
    })),
  );
}
