// The offline ideator as a local search: the 1/5th-rule step size, and moves that follow what beat the parent.
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Experiment, Idea } from '../../../src/domain/records.js';
import { loadManifest } from '../../../src/environments/registry.js';
import type { IdeaOutcome } from '../../../src/ideation/ideator.js';
import { knobStep } from '../../../src/ideation/knob-moves.js';
import { replayKnobTrials, STEP_GROW, STEP_SHRINK } from '../../../src/ideation/knob-search.js';
import { createOfflineIdeator } from '../../../src/ideation/offline-ideator.js';
import { knobIdea } from '../../helpers/llm-fixtures.js';
import { FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';

const files = { 'train.py': 'LEARNING_RATE = 0.1  # step\nWIDTH = 8\n' };
const base = { learning_rate: 0.1, width: 8 };

/** A finished knob trial with loss `loss` (toy: lower is better, baseline 2.0, reward 1/loss). */
function trial(
  id: string,
  knobs: Record<string, number>,
  loss: number | 'failed',
  parentIds: string[] = [],
): IdeaOutcome {
  const idea: Idea = { ...knobIdea(id, knobs), parentIds };
  const experiment: Experiment = {
    id: `exp_${id}`,
    schemaVersion: 1,
    implementationId: `impl_${id}`,
    ideaId: id,
    environment: 'toy',
    profile: 'default',
    state: loss === 'failed' ? 'failed' : 'succeeded',
    runs: [],
    ...(loss === 'failed'
      ? { failure: { category: 'crashed', message: 'exit 1', logTail: '' } }
      : { result: { metric: { name: 'loss', value: loss, direction: 'min', std: 0, seeds: 1 }, reward: 1 / loss } }),
    createdAt: '',
    updatedAt: '',
  };
  return { idea, experiment };
}

const toy = async () => (await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'))).manifest;

describe('knob steps', () => {
  it('scales a log knob by 2^step and a linear one by step quarters of its range', async () => {
    const { learning_rate: lr, width } = (await toy()).knobs;
    if (!lr || !width) throw new Error('toy knobs');
    expect(knobStep(lr, 0.1, 1, 1)).toBe(0.2);
    expect(knobStep(lr, 0.1, -1, 2)).toBe(0.025);
    expect(knobStep(lr, 1, 1, 1)).toBeUndefined(); // at the top of its range
    expect(knobStep(width, 8, 1, 0.01)).toBe(9); // an int knob moves by at least 1
    const linear = { ...lr, scale: 'linear' as const, min: 0, max: 1 };
    expect(knobStep(linear, 0.5, -1, 1)).toBe(0.25);
  });
});

describe('1/5th success rule', () => {
  it('grows the step after successes and shrinks it after failures', async () => {
    const manifest = await toy();
    const grown = replayKnobTrials(manifest, base, [
      trial('a', { learning_rate: 0.2 }, 1.5),
      trial('b', { learning_rate: 0.4 }, 1.2, ['a']),
    ]);
    expect(grown.step).toBeCloseTo(STEP_GROW ** 2);
    expect(grown.successes).toBe(2);
    expect(grown.best?.id).toBe('b');
    expect(grown.directions.get('learning_rate:+')).toEqual({ successes: 2, failures: 0 });

    const shrunk = replayKnobTrials(manifest, base, [
      trial('a', { learning_rate: 0.05 }, 2.5),
      trial('b', { width: 16 }, 2.2),
      trial('c', { width: 4 }, 'failed'),
      trial('d', { learning_rate: 0.2, width: 16 }, 2.1),
    ]);
    expect(shrunk.step).toBeCloseTo(STEP_SHRINK ** 4);
    expect(shrunk.best).toBeUndefined(); // nothing beat the baseline
    // One success in five keeps the step where it was.
    const balanced = replayKnobTrials(manifest, base, [
      trial('a', { learning_rate: 0.2 }, 1.5),
      ...['b', 'c', 'd', 'e'].map((id) => trial(id, { width: 16 + id.charCodeAt(0) }, 1.9, ['a'])),
    ]);
    expect(balanced.step).toBeCloseTo(1);
  });

  it('pushes a winning direction further with the adapted step, from the best result', async () => {
    const manifest = await toy();
    const history = [trial('a', { learning_rate: 0.2 }, 1.5), trial('b', { learning_rate: 0.05 }, 2.4)];
    const [first] = await createOfflineIdeator().propose({
      manifest,
      files,
      count: 1,
      kind: 'exploit',
      parents: [history[0] as IdeaOutcome],
      history,
      seed: 1,
    });
    // One success, one failure: step 1.5 · 1.5^-0.25 ≈ 1.355, so ×2^1.355 ≈ 2.56 from 0.2.
    expect(first?.knobs).toEqual({ learning_rate: 0.512 });
    expect(first?.parentIds).toEqual(['a']);
  });

  it('explores knobs it has not moved yet, from the best result', async () => {
    const manifest = await toy();
    const history = [trial('a', { learning_rate: 0.2 }, 1.5), trial('b', { learning_rate: 0.4 }, 1.7, ['a'])];
    const ideas = await createOfflineIdeator().propose({
      manifest,
      files,
      count: 1,
      kind: 'explore',
      parents: [],
      history,
      seed: 1,
    });
    expect(ideas[0]?.knobs?.learning_rate).toBe(0.2);
    expect(ideas[0]?.knobs?.width).toBeDefined();
    expect(ideas[0]?.parentIds).toEqual(['a']);
  });

  it('seed ideas do not adapt (a control arm stays independent of the results)', async () => {
    const manifest = await toy();
    const request = { manifest, files, count: 3, kind: 'seed' as const, parents: [], seed: 5 };
    const blind = await createOfflineIdeator().propose({ ...request, history: [] });
    const informed = await createOfflineIdeator().propose({
      ...request,
      history: [trial('z', { learning_rate: 0.9, width: 60 }, 1.0)],
    });
    expect(informed).toEqual(blind);
    for (const idea of blind) expect(idea.parentIds).toEqual([]);
  });
});
