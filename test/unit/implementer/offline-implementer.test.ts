// The offline implementer: knob ideas written exactly as search/replace edits, other ideas refused.
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadManifest } from '../../../src/environments/registry.js';
import { createOfflineImplementer } from '../../../src/implementer/offline-implementer.js';
import { knobIdea as idea } from '../../helpers/llm-fixtures.js';
import { FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';

const files = { 'train.py': 'LEARNING_RATE = 0.1  # step\nWIDTH = 8\n' };

describe('offline implementer', () => {
  it('implements knob ideas as search/replace edits that keep comments', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const edit = await createOfflineImplementer().writeEdit({
      manifest,
      files,
      idea: idea('idea_x', { learning_rate: 0.2 }),
    });
    expect(edit).toBe(
      'train.py\n<<<<<<< SEARCH\nLEARNING_RATE = 0.1  # step\n=======\nLEARNING_RATE = 0.2  # step\n>>>>>>> REPLACE\n',
    );
  });

  it('refuses ideas without knobs with a way forward', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const plain = { ...idea('idea_y', {}), knobs: undefined };
    await expect(createOfflineImplementer().writeEdit({ manifest, files, idea: plain })).rejects.toThrow(
      /pass your own `edit`/,
    );
  });
});
