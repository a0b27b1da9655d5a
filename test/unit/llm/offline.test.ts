import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Idea } from '../../../src/domain/records.js';
import { loadManifest } from '../../../src/environments/registry.js';
import { formatKnobValue, knobMoves, readKnobValue } from '../../../src/llm/knob-moves.js';
import { createOfflineEditWriter, createOfflineIdeaProvider } from '../../../src/llm/offline.js';
import { FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';

const files = { 'train.py': 'LEARNING_RATE = 0.1  # step\nWIDTH = 8\n' };

function idea(id: string, knobs: Record<string, number>): Idea {
  return {
    id,
    schemaVersion: 1,
    environment: 'toy',
    title: id,
    text: id,
    origin: { provider: 'offline', model: 'x', kind: 'seed' },
    parentIds: [],
    knobs,
    createdAt: '',
  };
}

describe('knob moves', () => {
  it('moves log-scale knobs by factors and stays in range', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const lr = manifest.knobs.learning_rate;
    expect(lr).toBeDefined();
    if (!lr) return;
    expect(knobMoves(lr, 0.1)).toEqual([0.2, 0.05, 0.15, 0.0667]);
    expect(knobMoves(lr, 1).every((value) => Number(value) <= 1)).toBe(true);
    expect(formatKnobValue(lr, 1)).toBe('1.0');
    expect(readKnobValue(lr, files['train.py'])).toBe(0.1);
  });
});

describe('offline provider', () => {
  it('proposes distinct, reproducible knob ideas and never the defaults', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const provider = createOfflineIdeaProvider();
    const request = { manifest, files, count: 5, kind: 'seed' as const, parents: [], history: [], seed: 7 };
    const first = await provider.propose(request);
    const again = await provider.propose(request);
    expect(first).toEqual(again);
    expect(first).toHaveLength(5);
    const keys = first.map((proposal) => JSON.stringify(proposal.knobs));
    expect(new Set(keys).size).toBe(5);
    for (const proposal of first) {
      expect(proposal.text).toMatch(/^\[Experiment\] .+ \[Code Changes\] .+/);
      expect(Object.keys(proposal.knobs ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('builds exploit ideas on parents and skips what was tried', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const parent = idea('idea_parent', { width: 16 });
    const ideas = await createOfflineIdeaProvider().propose({
      manifest,
      files,
      count: 4,
      kind: 'exploit',
      parents: [{ idea: parent }],
      history: [{ idea: parent }],
      seed: 3,
    });
    expect(ideas.length).toBeGreaterThan(0);
    for (const proposal of ideas) {
      expect(proposal.parentIds).toContain('idea_parent');
      expect(JSON.stringify(proposal.knobs)).not.toBe(JSON.stringify({ width: 16 }));
    }
  });

  it('implements knob ideas as search/replace edits that keep comments', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const edit = await createOfflineEditWriter().writeEdit({
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
    await expect(createOfflineEditWriter().writeEdit({ manifest, files, idea: plain })).rejects.toThrow(
      /pass your own `edit`/,
    );
  });
});
