import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { createEnvironmentRegistry, loadManifest } from '../../../src/environments/registry.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';

async function writeEnvironment(
  root: string,
  name: string,
  manifest: unknown,
  files: Record<string, string> = {},
): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'environment.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
  return dir;
}

async function toyManifest(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(FIXTURE_ENVIRONMENTS, 'toy', 'environment.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

async function refusal(dir: string): Promise<ResearchError> {
  const error = await loadManifest(dir).catch((caught: unknown) => caught);
  expect(ResearchError.is(error, 'manifest_invalid')).toBe(true);
  return error as ResearchError;
}

describe('environment manifests', () => {
  it('loads the fixture and the bundled tiny-lm', async () => {
    const toy = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    expect(toy.manifest.metric).toEqual({ name: 'loss', direction: 'min' });
    expect(toy.manifest.resources.evaluateTimeLimitSec).toBe(20);
  });

  it('names the missing field', async () => {
    const root = await tempDir();
    const manifest = await toyManifest();
    delete manifest.metric;
    const error = await refusal(await writeEnvironment(root, 'toy', manifest));
    expect(error.message).toMatch(/metric/);
    expect(error.message).toContain(join(root, 'toy', 'environment.json'));
  });

  it('names a wrongly typed nested field', async () => {
    const root = await tempDir();
    const manifest = await toyManifest();
    manifest.resources = { gpus: 'two', timeLimitSec: 10 };
    const error = await refusal(await writeEnvironment(root, 'toy', manifest));
    expect(error.message).toMatch(/resources\.gpus/);
  });

  it('refuses a direction that is not min or max', async () => {
    const root = await tempDir();
    const manifest = await toyManifest();
    manifest.metric = { name: 'loss', direction: 'down' };
    expect((await refusal(await writeEnvironment(root, 'toy', manifest))).message).toMatch(/metric\.direction/);
  });

  it('refuses a knob whose variable is not assigned exactly once', async () => {
    const root = await tempDir();
    const manifest = await toyManifest();
    const error = await refusal(
      await writeEnvironment(root, 'toy', manifest, { 'train.py': 'LEARNING_RATE = 1\nWIDTH = 2\nWIDTH = 3\n' }),
    );
    expect(error.message).toMatch(/knobs\.width/);
    expect(error.message).toMatch(/exactly once/);
  });

  it('refuses JSON that does not parse, naming the file', async () => {
    const root = await tempDir();
    const error = await refusal(await writeEnvironment(root, 'broken', '{"name": '));
    expect(error.message).toContain(join(root, 'broken', 'environment.json'));
  });

  it('lists valid environments and reports invalid ones separately', async () => {
    const root = await tempDir();
    await writeEnvironment(root, 'broken', { name: 'broken' });
    const registry = createEnvironmentRegistry([FIXTURE_ENVIRONMENTS, root]);
    const listing = await registry.list();
    expect(listing.environments.map((e) => e.manifest.name)).toContain('toy');
    expect(listing.invalid.map((entry) => entry.dir)).toEqual([join(root, 'broken')]);
  });

  it('says which environments exist when one is unknown', async () => {
    const registry = createEnvironmentRegistry([FIXTURE_ENVIRONMENTS]);
    const error = await registry.get('nope').catch((caught: unknown) => caught);
    expect(ResearchError.is(error, 'environment_unknown')).toBe(true);
    expect((error as Error).message).toMatch(/known: .*toy/);
  });
});
