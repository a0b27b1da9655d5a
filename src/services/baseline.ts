// Use case: run an environment's unchanged code (its baseline) as an ordinary experiment.
import { newId } from '../domain/ids.js';
import { type Experiment, type Idea, type Implementation, SCHEMA_VERSION } from '../domain/records.js';
import type { ServiceDeps } from './deps.js';
import { runExperiment } from './experiments.js';

export interface RunBaselineInput {
  environment: string;
  profile?: string;
  seeds?: number[];
}

const BASELINE_TEXT = 'The environment as shipped, with no change: the baseline every idea is compared with.';

/** The baseline implementation of an environment: reused when one exists, else created once. */
async function baselineImplementation(deps: ServiceDeps, environment: string): Promise<Implementation> {
  const [existing] = await deps.store.implementations.list(
    (i) => i.environment === environment && i.implementer === 'baseline' && i.status === 'ready',
  );
  if (existing) return existing;
  const now = new Date().toISOString();
  const idea: Idea = {
    id: newId('idea'),
    schemaVersion: SCHEMA_VERSION,
    environment,
    title: 'baseline',
    text: BASELINE_TEXT,
    origin: { provider: 'baseline', model: 'none', kind: 'client' },
    parentIds: [],
    createdAt: now,
  };
  await deps.store.ideas.put(idea);
  const implementation: Implementation = {
    id: newId('impl'),
    schemaVersion: SCHEMA_VERSION,
    ideaId: idea.id,
    environment,
    implementer: 'baseline',
    status: 'ready',
    filesChanged: [],
    changes: [],
    attempts: [],
    createdAt: now,
  };
  await deps.store.implementations.put(implementation);
  return implementation;
}

export async function runBaseline(deps: ServiceDeps, input: RunBaselineInput): Promise<Experiment> {
  await deps.environments.get(input.environment);
  const implementation = await baselineImplementation(deps, input.environment);
  return runExperiment(deps, { implementationId: implementation.id, profile: input.profile, seeds: input.seeds });
}
