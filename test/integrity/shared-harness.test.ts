// The security-critical harness modules are shared: every environment keeps its own copy (an environment is a
// self-contained folder, copied whole into run folders and images), and the copies must stay byte-identical, so a
// fix to one is a fix to all. tiny-lm holds the copy to edit; the others follow it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadManifest } from '../../src/environments/registry.js';
import { BUNDLED_ENVIRONMENTS } from '../helpers/test-server.js';

const CANONICAL = 'tiny-lm';
const SHARED: Record<string, string[]> = {
  'seal.py': ['nanogpt', 'grpo'],
  'sealed_eval.py': ['nanogpt', 'grpo'],
  'confine.py': ['nanogpt', 'grpo'],
  'lm_eval.py': ['nanogpt'],
  'model_worker.py': ['nanogpt'],
};

describe('shared harness modules', () => {
  for (const [file, others] of Object.entries(SHARED)) {
    it(`${file} is the same in ${[CANONICAL, ...others].join(', ')}`, async () => {
      const canonical = await readFile(join(BUNDLED_ENVIRONMENTS, CANONICAL, 'harness', file));
      for (const environment of others) {
        const copy = await readFile(join(BUNDLED_ENVIRONMENTS, environment, 'harness', file));
        expect(
          copy.equals(canonical),
          `environments/${environment}/harness/${file} differs from environments/${CANONICAL}/harness/${file}: ` +
            `edit the tiny-lm copy, then cp it to the others`,
        ).toBe(true);
      }
    });
  }
});

describe('held-out files of the bundled environments', () => {
  it('are declared in heldOut, exist, and lie in the harness folder', async () => {
    const expected: Record<string, string[]> = {
      'tiny-lm': ['harness/val.txt'],
      nanogpt: [],
      grpo: ['harness/smoke_eval.jsonl'],
    };
    for (const [name, heldOut] of Object.entries(expected)) {
      const { manifest } = await loadManifest(join(BUNDLED_ENVIRONMENTS, name));
      expect(manifest.heldOut, name).toEqual(heldOut);
      for (const path of heldOut) {
        expect(path.startsWith(`${manifest.harness}/`), `${name}: ${path}`).toBe(true);
        await expect(readFile(join(BUNDLED_ENVIRONMENTS, name, path))).resolves.toBeDefined();
      }
    }
  });
});
