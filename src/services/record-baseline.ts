// Use case: record a measured baseline (value, spread, runs) in an env-init environment's manifest.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import { type Baseline, Manifest } from '../environments/manifest.js';
import { atomicWrite } from '../util/atomic-write.js';
import type { ServiceDeps } from './deps.js';
import { getExperiment } from './experiments.js';

/** Writes the baseline an experiment of the unchanged code measured into its environment; every later comparison uses it. */
export async function recordBaseline(deps: ServiceDeps, experimentId: string): Promise<Baseline> {
  const experiment = await getExperiment(deps, experimentId);
  const implementation = await deps.store.implementations.get(experiment.implementationId);
  if (implementation?.implementer !== 'baseline') {
    throw new ResearchError(
      'bad_input',
      `experiment ${experiment.id} ran an edit, not the unchanged code; measure the baseline with groundwork env baseline`,
    );
  }
  if (experiment.state !== 'succeeded' || !experiment.result) {
    throw new ResearchError(
      'bad_input',
      `experiment ${experiment.id} ${experiment.state}${experiment.failure ? ` (${experiment.failure.category}: ${experiment.failure.message})` : ''}; a baseline needs every seed to succeed`,
    );
  }
  const environment = await deps.environments.get(experiment.environment);
  if (!environment.manifest.source) {
    throw new ResearchError(
      'bad_input',
      `${environment.manifest.name} was not made with env init, so groundwork does not rewrite its manifest (${join(environment.dir, 'environment.json')}); its recorded baseline stays as shipped`,
    );
  }
  const { metric } = experiment.result;
  const baseline: Baseline = {
    value: metric.value,
    std: metric.std,
    runs: metric.seeds,
    profile: experiment.profile,
    measured: new Date().toISOString().slice(0, 10),
  };
  const file = join(environment.dir, 'environment.json');
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const next = Manifest.parse({ ...raw, baseline });
  await atomicWrite(file, `${JSON.stringify({ ...raw, baseline: next.baseline }, null, 2)}\n`);
  return baseline;
}
