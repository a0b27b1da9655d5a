// Result reuse: an edit whose canonical diff already ran (same environment and profile, succeeded) is found again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Experiment, Implementation } from '../../../src/domain/records.js';
import { findReusableExperiment } from '../../../src/search/result-reuse.js';
import { diffHashOf, implementationDiffHash } from '../../../src/services/implementations.js';
import { writeArtifact } from '../../../src/store/artifacts.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';

const DIFF = 'diff --git a/train.py b/train.py\n-LEARNING_RATE = 0.1\n+LEARNING_RATE = 0.2\n';
const HASH = diffHashOf(DIFF);

function implementation(id: string, patch: Partial<Implementation> = {}): Implementation {
  return {
    id,
    schemaVersion: 1,
    ideaId: `idea_${id}`,
    environment: 'toy',
    implementer: 'offline',
    status: 'ready',
    diffHash: HASH,
    filesChanged: ['train.py'],
    changes: [],
    attempts: [],
    createdAt: '',
    ...patch,
  };
}

function experiment(id: string, implementationId: string, patch: Partial<Experiment> = {}): Experiment {
  return {
    id,
    schemaVersion: 1,
    implementationId,
    ideaId: `idea_${implementationId}`,
    environment: 'toy',
    profile: 'default',
    state: 'succeeded',
    runs: [],
    result: { metric: { name: 'loss', value: 1.5, direction: 'min', std: 0, seeds: 1 }, reward: 1 / 1.5 },
    createdAt: '',
    updatedAt: '2026-01-01T00:00:00Z',
    ...patch,
  };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('result reuse', () => {
  it('finds the succeeded experiment of an equal diff, same environment and profile', async () => {
    const store = createMemoryStore();
    await store.implementations.put(implementation('impl_a'));
    await store.experiments.put(experiment('exp_a', 'impl_a'));
    const query = { environment: 'toy', profile: 'default', diffHash: HASH };
    expect((await findReusableExperiment(store, query))?.id).toBe('exp_a');
    expect(await findReusableExperiment(store, { ...query, diffHash: diffHashOf(`${DIFF}x`) })).toBeUndefined();
    expect(await findReusableExperiment(store, { ...query, profile: 'smoke' })).toBeUndefined();
    expect(await findReusableExperiment(store, { ...query, environment: 'other' })).toBeUndefined();
    expect(await findReusableExperiment(store, { ...query, implementationId: 'impl_a' })).toBeUndefined();
  });

  it('ignores failed and running experiments, and prefers more seeds', async () => {
    const store = createMemoryStore();
    await store.implementations.put(implementation('impl_a'));
    await store.implementations.put(implementation('impl_b'));
    await store.experiments.put(experiment('exp_failed', 'impl_a', { state: 'failed', result: undefined }));
    await store.experiments.put(experiment('exp_running', 'impl_a', { state: 'running', result: undefined }));
    const query = { environment: 'toy', profile: 'default', diffHash: HASH };
    expect(await findReusableExperiment(store, query)).toBeUndefined();
    await store.experiments.put(experiment('exp_one', 'impl_a'));
    await store.experiments.put(
      experiment('exp_three', 'impl_b', {
        result: { metric: { name: 'loss', value: 1.5, direction: 'min', std: 0.01, seeds: 3 }, reward: 1 / 1.5 },
      }),
    );
    expect((await findReusableExperiment(store, query))?.id).toBe('exp_three');
  });

  it('hashes the diff artifact of records stored before diffHash existed, when given the data directory', async () => {
    const home = await mkdtemp(join(tmpdir(), 'gw-reuse-'));
    dirs.push(home);
    const store = createMemoryStore();
    const old = implementation('impl_old', {
      diffHash: undefined,
      diffPath: await writeArtifact(home, 'impl_old', 'diff.patch', DIFF),
    });
    await store.implementations.put(old);
    await store.experiments.put(experiment('exp_old', 'impl_old'));
    expect(await implementationDiffHash(home, old)).toBe(HASH);
    const query = { environment: 'toy', profile: 'default', diffHash: HASH };
    expect(await findReusableExperiment(store, query)).toBeUndefined();
    expect((await findReusableExperiment(store, { ...query, home }))?.id).toBe('exp_old');
  });
});
