// Reading ideas out of model answers: the paper's tagged format and JSON accepted, junk rejected with reasons.
import { describe, expect, it } from 'vitest';

import { ideaText, parseIdeas, whyNoIdeas } from '../../../src/ideation/parse-ideas.js';

describe('parseIdeas', () => {
  it('reads the paper’s format without titles, skipping prose, and derives a title', () => {
    const answer = `Sure, here you go.

[Experiment] Replace the GELU in the MLP with SiLU; smoother gradients may help this small model.
[Code Changes] In model.py, MLP.forward: use F.silu instead of F.gelu.
[End]
[Experiment] Halve the learning rate warm-up so the model reaches the peak rate sooner.
[Code Changes] In train.py set WARMUP_STEPS = 25.
[End]`;
    const parsed = parseIdeas(answer);
    expect(parsed.format).toBe('tagged');
    expect(parsed.ideas.map((idea) => idea.title)).toEqual([
      'Replace the GELU in the MLP with SiLU; smoother gradients may help this small m…',
      'Halve the learning rate warm-up so the model reaches the peak rate sooner.',
    ]);
    expect(ideaText(parsed.ideas[1]!)).toBe(
      '[Experiment] Halve the learning rate warm-up so the model reaches the peak rate sooner.\n[Code Changes] In train.py set WARMUP_STEPS = 25.',
    );
  });

  it('splits ideas without [End], reads bold tags, colons, numbering and [Builds On]', () => {
    const parsed = parseIdeas(`1. **[Title]:** Combine P1 and P3
**[Builds On]** P1, P3
**[Experiment]:** Use the longer warm-up of P1 together with label smoothing from P3; they act on different things.
**[Code Changes]:** train.py: WARMUP_STEPS = 80; model.py: label_smoothing=0.05 in training.
---
2. [Title] Deeper model
[Experiment] Four blocks instead of three, keeping the width, to test whether depth helps within the time limit.
[Code Changes] In model.py set N_LAYER = 4.`);
    expect(parsed.ideas).toHaveLength(2);
    expect(parsed.ideas[0]).toMatchObject({ title: 'Combine P1 and P3', buildsOn: [1, 3] });
    expect(parsed.ideas[0]?.codeChanges).toBe(
      'train.py: WARMUP_STEPS = 80; model.py: label_smoothing=0.05 in training.',
    );
    expect(parsed.ideas[1]).toMatchObject({ title: 'Deeper model', buildsOn: [] });
  });

  it('reads JSON (fenced, bare, or under "ideas") with several key spellings', () => {
    const fenced = parseIdeas(
      '```json\n[{"title":"T","experiment":"Try a much larger batch size of 64.","codeChanges":"train.py BATCH_SIZE = 64"}]\n```',
    );
    expect(fenced.format).toBe('json');
    expect(fenced.ideas[0]).toMatchObject({ title: 'T', codeChanges: 'train.py BATCH_SIZE = 64' });
    const wrapped = parseIdeas(
      '{"ideas":[{"description":"Use dropout of 0.1 everywhere to regularise.","code_changes":"model.py DROPOUT = 0.1","builds_on":[2]}]}',
    );
    expect(wrapped.ideas[0]).toMatchObject({
      buildsOn: [2],
      experiment: 'Use dropout of 0.1 everywhere to regularise.',
    });
  });

  it('rejects junk: missing sections, placeholders, too short, too long, repeats', () => {
    const parsed = parseIdeas(`[Experiment] ...
[Code Changes] TODO
[End]
[Experiment] Better.
[Code Changes] Change the model in some way.
[End]
[Experiment] An idea with no code section at all, just words about it.
[End]
[Experiment] ${'long '.repeat(2000)}
[Code Changes] everything
[End]
[Experiment] Use a cosine schedule that decays to zero at the end.
[Code Changes] train.py MIN_LR_RATIO = 0.0
[End]
[Experiment] Use a cosine schedule that decays to zero at the end.
[Code Changes] train.py MIN_LR_RATIO = 0.0
[End]`);
    expect(parsed.ideas).toHaveLength(1);
    expect(parsed.rejected.map((entry) => entry.reason)).toEqual([
      'placeholder text instead of an idea',
      'experiment too short to be an idea',
      'no [Code Changes] section',
      'idea too long (over 8000 characters)',
      'repeats an idea in the same answer',
    ]);
  });

  it('ignores thinking and says why an answer held no ideas', () => {
    const thinking = '<think>[Experiment] not this one at all, it is thinking [Code Changes] none here</think>';
    expect(parseIdeas(thinking).ideas).toEqual([]);
    expect(whyNoIdeas('', parseIdeas(''))).toBe('the answer was empty');
    expect(whyNoIdeas("I'm sorry, I can't do that.", parseIdeas("I'm sorry, I can't do that."))).toMatch(/declined/);
    expect(whyNoIdeas('Here are my thoughts on the matter.', parseIdeas('x'))).toMatch(/no \[Experiment\]/);
  });
});
