// Use cases: queue an implementation as an experiment, follow it, cancel it.
import { ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { MAX_SEED, MAX_SEEDS, Seeds } from '../domain/limits.js';
import { type Experiment, type ExperimentRole, type ExperimentState, SCHEMA_VERSION } from '../domain/records.js';
import { DEFAULT_PROFILE, type Manifest, type ProfileSettings, profileSettings } from '../environments/manifest.js';
import type { ServiceDeps } from './deps.js';

export interface RunExperimentInput {
  implementationId: string;
  seeds?: number[];
  profile?: string;
  searchId?: string;
  /** A search's own id for it (src/search derives one per idea and role): queuing it again returns the stored one. */
  id?: string;
  role?: ExperimentRole;
}

/** Refuses a profile the manifest does not have (own keys only: "constructor" is no profile). */
export function requireProfile(manifest: Manifest, profile: string): ProfileSettings {
  const settings = profileSettings(manifest, profile);
  if (!settings) {
    throw new ResearchError(
      'bad_input',
      `environment ${manifest.name} has no profile "${profile}"; profiles: ${[DEFAULT_PROFILE, ...Object.keys(manifest.profiles)].join(', ')}`,
    );
  }
  return settings;
}

export async function runExperiment(deps: ServiceDeps, input: RunExperimentInput): Promise<Experiment> {
  if (input.id !== undefined) {
    // Exactly once: an experiment a search already queued under this id is never queued a second time.
    const existing = await deps.store.experiments.get(input.id);
    if (existing) return existing;
  }
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
  if (!Seeds.safeParse(seeds).success) {
    throw new ResearchError(
      'bad_input',
      `seeds must be 1 to ${MAX_SEEDS} integers from 0 to ${MAX_SEED}; got ${JSON.stringify(seeds)}`,
    );
  }
  const environment = await deps.environments.get(implementation.environment);
  const profile = input.profile ?? DEFAULT_PROFILE;
  requireProfile(environment.manifest, profile);
  const now = new Date().toISOString();
  const experiment: Experiment = {
    id: input.id ?? newId('exp'),
    schemaVersion: SCHEMA_VERSION,
    implementationId: implementation.id,
    ideaId: implementation.ideaId,
    environment: implementation.environment,
    profile,
    ...(input.searchId ? { searchId: input.searchId } : {}),
    ...(input.role ? { role: input.role } : {}),
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

export interface ExperimentFilter {
  state?: ExperimentState;
  searchId?: string;
  environment?: string;
}

/** The experiments that match every filter given, in store order. */
export function listExperiments(deps: ServiceDeps, filter: ExperimentFilter = {}): Promise<Experiment[]> {
  return deps.store.experiments.list(
    (e) =>
      (filter.state === undefined || e.state === filter.state) &&
      (filter.searchId === undefined || e.searchId === filter.searchId) &&
      (filter.environment === undefined || e.environment === filter.environment),
  );
}
