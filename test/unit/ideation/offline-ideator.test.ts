// The offline ideator: knob moves, and distinct, reproducible knob ideas built on parents.
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { formatKnobValue, readKnobValue } from '../../../src/environments/knob-values.js';
import { loadManifest } from '../../../src/environments/registry.js';
import { knobMoves } from '../../../src/ideation/knob-moves.js';
import { createOfflineIdeator } from '../../../src/ideation/offline-ideator.js';
import { knobIdea as idea } from '../../helpers/llm-fixtures.js';
import { FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';

const files = { 'train.py': 'LEARNING_RATE = 0.1  # step\nWIDTH = 8\n' };

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

describe('offline ideator', () => {
  it('proposes distinct, reproducible knob ideas and never the defaults', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const provider = createOfflineIdeator();
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
    const ideas = await createOfflineIdeator().propose({
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

  it('never proposes again a setting tried elsewhere in the environment, seed ideas included', async () => {
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const request = { manifest, files, count: 3, kind: 'seed' as const, parents: [], history: [], seed: 7 };
    const first = await createOfflineIdeator().propose(request);
    const avoid = first.map((proposal, i) => idea(`idea_${i}`, (proposal.knobs ?? {}) as Record<string, number>));
    const again = await createOfflineIdeator().propose({ ...request, avoid });
    expect(again).toHaveLength(3);
    const tried = new Set(first.map((proposal) => JSON.stringify(proposal.knobs)));
    for (const proposal of again) expect(tried.has(JSON.stringify(proposal.knobs))).toBe(false);
  });
});
