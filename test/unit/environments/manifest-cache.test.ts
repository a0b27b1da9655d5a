// A manifest is read once and read again only when environment.json or a knob file changed; callers get copies.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { loadManifest } from '../../../src/environments/registry.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';

async function toyCopy(): Promise<string> {
  const dir = join(await tempDir(), 'toy');
  await cp(join(FIXTURE_ENVIRONMENTS, 'toy'), dir, { recursive: true });
  return dir;
}

describe('manifest cache', () => {
  it('hands out copies, and sees an edited environment.json', async () => {
    const dir = await toyCopy();
    const first = await loadManifest(dir);
    first.manifest.description = 'changed by a caller';
    expect((await loadManifest(dir)).manifest.description).not.toBe('changed by a caller');
    const file = join(dir, 'environment.json');
    const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...raw, description: 'edited on disk' }));
    expect((await loadManifest(dir)).manifest.description).toBe('edited on disk');
  });

  it('checks the knobs again when a knob file changed', async () => {
    const dir = await toyCopy();
    await loadManifest(dir);
    const train = join(dir, 'train.py');
    await writeFile(train, (await readFile(train, 'utf8')).replace(/^WIDTH\s*=.*$/m, ''));
    const error = await loadManifest(dir).catch((caught: unknown) => caught);
    expect(ResearchError.is(error, 'manifest_invalid')).toBe(true);
  });
});
