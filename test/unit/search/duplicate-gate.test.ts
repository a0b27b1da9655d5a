// The duplicate gate: near-duplicate idea texts are refused, different ones (and different knob values) pass.
import { describe, expect, it } from 'vitest';

import type { Idea } from '../../../src/domain/records.js';
import { createDuplicateGate, fingerprint, ideaTokens, jaccard } from '../../../src/search/duplicate-gate.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { knobIdea, makeIdea } from '../../helpers/llm-fixtures.js';

const ROPE =
  '[Experiment] Replace the learned absolute position embeddings with rotary position embeddings (RoPE) in every attention layer, keeping all other hyper-parameters. [Code Changes] In model.py, remove wpe, rotate q and k by position-dependent angles in CausalSelfAttention.forward.';
const ROPE_REWORDED =
  '[Experiment] Replace the learned absolute position embeddings with rotary position embeddings (RoPE) in each attention layer, keeping all the other hyper-parameters. [Code Changes] In model.py remove wpe; rotate q and k by position-dependent angles in CausalSelfAttention.forward().';
const SWIGLU =
  '[Experiment] Swap the GELU MLP for a SwiGLU MLP with a hidden width of 8/3 of the embedding, to improve the loss at equal compute. [Code Changes] In model.py, MLP gets two input projections and uses silu(a) * b.';

async function gateWith(ideas: Idea[]): Promise<ReturnType<typeof createDuplicateGate>> {
  const store = createMemoryStore();
  for (const idea of ideas) await store.ideas.put(idea);
  return createDuplicateGate(store);
}

function offline(id: string, lr: number, text?: string): Idea {
  return {
    ...knobIdea(id, { learning_rate: lr }),
    environment: 'toy',
    text:
      text ??
      `[Experiment] Set learning_rate (peak AdamW learning rate) to ${lr} instead of 0.003. [Code Changes] in train.py set LEARNING_RATE = ${lr}.`,
  };
}

describe('idea fingerprints', () => {
  it('lowercases, drops tags and punctuation, and spells numbers one way', () => {
    expect(ideaTokens('[Experiment] Set LR to 3e-3, then 0.0030!')).toEqual([
      'set',
      'lr',
      'to',
      '#0.003',
      'then',
      '#0.003',
    ]);
    expect(jaccard(fingerprint('a b c d').shingles, fingerprint('a b c d').shingles)).toBe(1);
    expect(jaccard(fingerprint('a b c d').shingles, fingerprint('w x y z').shingles)).toBe(0);
  });
});

describe('duplicate gate', () => {
  it('refuses a reworded near-duplicate and lets a different idea pass', async () => {
    const gate = await gateWith([makeIdea('idea_rope', 'RoPE', ROPE)]);
    const near = await gate.check('toy', ROPE_REWORDED);
    expect(near.duplicateOf).toBe('idea_rope');
    expect(near.similarity).toBeGreaterThanOrEqual(0.75);
    const other = await gate.check('toy', SWIGLU);
    expect(other.duplicateOf).toBeUndefined();
    expect(other.similarity).toBeLessThan(0.3);
  });

  it('only compares ideas of the same environment', async () => {
    const gate = await gateWith([{ ...makeIdea('idea_rope', 'RoPE', ROPE), environment: 'other' }]);
    expect((await gate.check('toy', ROPE)).duplicateOf).toBeUndefined();
  });

  it('skips the checked idea itself and everything stored after it', async () => {
    const first = makeIdea('idea_a', 'RoPE', ROPE);
    const second = makeIdea('idea_b', 'RoPE again', ROPE_REWORDED);
    const gate = await gateWith([first, second]);
    expect((await gate.check('toy', ROPE, { ideaId: 'idea_a' })).duplicateOf).toBeUndefined();
    expect((await gate.check('toy', ROPE_REWORDED, { ideaId: 'idea_b' })).duplicateOf).toBe('idea_a');
    // Without an id, the latest stored idea with the same text is the one checked (the runner checks stored ideas).
    expect((await gate.check('toy', ROPE)).duplicateOf).toBeUndefined();
    expect((await gate.check('toy', ROPE_REWORDED)).duplicateOf).toBe('idea_a');
  });

  it('knob ideas: the same values are a duplicate, different values are not', async () => {
    const gate = await gateWith([offline('idea_lr6', 0.006)]);
    const fresh = { ideaId: 'idea_new' }; // not stored: compared with every stored idea
    expect((await gate.check('toy', offline('x', 0.006).text, fresh)).duplicateOf).toBe('idea_lr6');
    expect((await gate.check('toy', offline('x', 6e-3).text.replace('0.006', '6e-3'))).duplicateOf).toBe('idea_lr6');
    const different = await gate.check('toy', offline('x', 0.0045).text);
    expect(different.duplicateOf).toBeUndefined();
    expect(different.similarity).toBeGreaterThan(0.5);
    // Exact knob settings decide when given, whatever the wording.
    expect((await gate.check('toy', 'learning rate 0.006', { knobs: { learning_rate: 0.006 } })).duplicateOf).toBe(
      'idea_lr6',
    );
    expect(
      (await gate.check('toy', offline('x', 0.006).text, { ...fresh, knobs: { learning_rate: 0.0061 } })).duplicateOf,
    ).toBe(undefined);
  });

  it('uses embeddings when given, with their own threshold', async () => {
    const store = createMemoryStore();
    await store.ideas.put(makeIdea('idea_rope', 'RoPE', ROPE));
    const embed = async (texts: string[]): Promise<number[][]> =>
      texts.map((text) => (/rotary|RoPE/i.test(text) ? [1, 0.01] : [0, 1]));
    const gate = createDuplicateGate(store, { embed, embeddingThreshold: 0.99 });
    expect((await gate.check('toy', 'Use rotary embeddings')).duplicateOf).toBe('idea_rope');
    expect((await gate.check('toy', SWIGLU)).duplicateOf).toBeUndefined();
  });

  it('a stricter threshold lets the reworded idea through', async () => {
    const store = createMemoryStore();
    await store.ideas.put(makeIdea('idea_rope', 'RoPE', ROPE));
    const gate = createDuplicateGate(store, { threshold: 0.99 });
    expect((await gate.check('toy', ROPE_REWORDED)).duplicateOf).toBeUndefined();
  });
});
