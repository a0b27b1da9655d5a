// Artifacts: bulky files stored under the data directory and referenced by a relative path.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { artifactPath, readArtifact, writeArtifact } from '../../../src/store/artifacts.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-artifacts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('artifacts', () => {
  it('writes under artifacts/<id>/<name> and reads back by the returned relative path', async () => {
    const relative = await writeArtifact(dir, 'impl_1', 'edit.diff', '--- a\n+++ b\n');
    expect(relative).toBe('artifacts/impl_1/edit.diff');
    expect(artifactPath(dir, 'impl_1', 'edit.diff')).toBe(join(dir, 'artifacts', 'impl_1', 'edit.diff'));
    expect(await readArtifact(dir, relative)).toBe('--- a\n+++ b\n');
    await writeArtifact(dir, 'impl_1', 'attempts/0.txt', new TextEncoder().encode('raw'));
    expect(await readFile(join(dir, 'artifacts', 'impl_1', 'attempts', '0.txt'), 'utf8')).toBe('raw');
  });

  it('overwrites an artifact as a whole', async () => {
    await writeArtifact(dir, 'exp_1', 'log.txt', 'a long first version');
    await writeArtifact(dir, 'exp_1', 'log.txt', 'short');
    expect(await readArtifact(dir, 'artifacts/exp_1/log.txt')).toBe('short');
  });

  it('refuses ids, names and paths that leave the artifacts folder', async () => {
    for (const [id, name] of [
      ['..', 'x'],
      ['a/b', 'x'],
      ['', 'x'],
      ['exp_1', '../x'],
      ['exp_1', '/etc/passwd'],
      ['exp_1', 'a//b'],
      ['exp_1', ''],
    ] as const) {
      await expect(writeArtifact(dir, id, name, 'x'), `${id} ${name}`).rejects.toMatchObject({
        code: 'bad_input',
      });
    }
    await expect(readArtifact(dir, '../secret')).rejects.toMatchObject({ code: 'bad_input' });
    await expect(readArtifact(dir, 'store/meta.json')).rejects.toMatchObject({ code: 'bad_input' });
  });
});
