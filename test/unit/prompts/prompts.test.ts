// Prompt builders: the true rules of the environment, the code with line numbers, results and failure reasons.
import { describe, expect, it } from 'vitest';

import type { Experiment, Idea } from '../../../src/domain/records.js';
import { numberedListing } from '../../../src/prompts/code-listing.js';
import { environmentRules } from '../../../src/prompts/environment-rules.js';
import { exploitPrompt } from '../../../src/ideation/prompts/exploit.js';
import { explorePrompt } from '../../../src/ideation/prompts/explore.js';
import { outcomeLine } from '../../../src/ideation/prompts/past-ideas.js';
import { seedPrompt } from '../../../src/ideation/prompts/seed.js';
import { implementPrompt } from '../../../src/implementer/prompts/implement.js';
import { revisePrompt } from '../../../src/implementer/prompts/revise.js';
import { makeIdea, TOY_FILES, toyManifest } from '../../helpers/llm-fixtures.js';

function experiment(idea: Idea, patch: Partial<Experiment>): Experiment {
  return {
    id: `exp_${idea.id}`,
    schemaVersion: 1,
    implementationId: 'impl_x',
    ideaId: idea.id,
    environment: 'toy',
    profile: 'default',
    state: 'succeeded',
    runs: [],
    createdAt: '',
    updatedAt: '',
    ...patch,
  };
}

const winner = makeIdea('idea_w', 'Wider');
const crashed = makeIdea('idea_c', 'Crashy');
const unbuildable = makeIdea('idea_u', 'Unbuildable');
const won = experiment(winner, {
  result: {
    metric: { name: 'loss', value: 1.5, direction: 'min', std: 0, seeds: 1 },
    reward: 1 / 1.5,
    baseline: { value: 2, std: 0.05, delta: -0.5, improved: true, beyondNoise: true },
  },
});
const crash = experiment(crashed, {
  state: 'failed',
  failure: {
    category: 'crashed',
    message: 'exit code 1',
    logTail: 'Traceback\n  File "train.py"\nNameError: name \'F\' is not defined',
  },
});

describe('environment rules', () => {
  it('states the metric, baseline, editable and frozen files, time limit, hardware and packages', async () => {
    const rules = environmentRules(await toyManifest(), ['train.py']);
    expect(rules).toContain('loss (lower is better)');
    expect(rules).toContain('2 ± 0.05 (over 3 runs)');
    expect(rules).toContain('Editable files: `train.py`');
    expect(rules).toContain(
      'Frozen (never editable, and the harness is not shown): `data/**`, `harness/**`, `environment.json`.',
    );
    expect(rules).toContain('stopped after 20 s of wall-clock time on CPU only');
    expect(rules).toContain('only the standard library');
  });
});

describe('ideation prompts', () => {
  it('seed: rules, numbered code, count, the paper’s format, what was already proposed', async () => {
    const prompt = seedPrompt({
      manifest: await toyManifest(),
      files: TOY_FILES,
      count: 4,
      avoid: ['Wider'],
      guidance: 'focus on width',
    });
    expect(prompt.system).toMatch(/research scientist/);
    expect(prompt.user).toContain('1| LEARNING_RATE = 0.1');
    expect(prompt.user).toContain('Propose 4 distinct research ideas');
    expect(prompt.user).toContain('[Experiment]');
    expect(prompt.user).toContain('[Code Changes]');
    expect(prompt.user).toContain('- Wider');
    expect(prompt.user).toContain('focus on width');
  });

  it('exploit: parents with their scores, numbered P1…, and recent failures with their reasons', async () => {
    const prompt = exploitPrompt({
      manifest: await toyManifest(),
      files: TOY_FILES,
      count: 2,
      avoid: [],
      parents: [{ idea: winner, experiment: won }],
      failures: [{ idea: crashed, experiment: crash }],
    });
    expect(prompt.user).toMatch(
      /P1\. Wider: .*\n {3}Result: loss 1\.5000; baseline 2, so better by 0\.500 \(beyond seed noise\)/,
    );
    expect(prompt.user).toMatch(
      /F1\. Crashy: [\s\S]*failed \(crashed\): exit code 1 Last output: .*NameError: name 'F' is not defined/,
    );
    expect(prompt.user).toContain('[Builds On]');
  });

  it('explore: a sample of everything tried, including why ideas never ran', async () => {
    const prompt = explorePrompt({
      manifest: await toyManifest(),
      files: TOY_FILES,
      count: 3,
      avoid: [],
      tried: [
        { idea: winner, experiment: won },
        { idea: unbuildable, implementationError: 'edit_refused: train.py: the SEARCH text was not found' },
      ],
      triedTotal: 7,
    });
    expect(prompt.user).toContain('a random sample of 2 of the 7 tried so far');
    expect(prompt.user).toContain(
      'never ran: no working edit could be made (edit_refused: train.py: the SEARCH text was not found)',
    );
    expect(prompt.user).toContain('clearly different from every idea above');
  });

  it('describes runs still going and runs without a result', async () => {
    const manifest = await toyManifest();
    expect(outcomeLine({ idea: winner, experiment: experiment(winner, { state: 'running' }) }, manifest)).toBe(
      'still running, no result yet',
    );
    expect(outcomeLine({ idea: winner }, manifest)).toBe('not run');
  });
});

describe('implementation prompts', () => {
  it('implement: rules, numbered code, the idea, and the edit format', async () => {
    const prompt = implementPrompt({ manifest: await toyManifest(), files: TOY_FILES, idea: winner });
    expect(prompt.user).toContain('===== train.py =====\n1| LEARNING_RATE = 0.1\n2| WIDTH = 8');
    expect(prompt.user).toContain('## The idea to implement\nWider');
    expect(prompt.user).toContain('<<<<<<< SEARCH');
    expect(prompt.user).toContain('>>>>>>> REPLACE');
    expect(prompt.user).toContain('Edits to any other file are refused');
  });

  it('revise: the exact error, and a request for the whole edit again', () => {
    const error = 'train.py: the SEARCH text was not found. The closest text is lines 3-4:\n3| x = 1';
    const text = revisePrompt(error);
    expect(text).toContain(error);
    expect(text).toMatch(/complete edit again/);
    expect(revisePrompt('e'.repeat(10_000)).length).toBeLessThan(6500);
  });

  it('numbers lines with a width that fits the file', () => {
    const listing = numberedListing({ 'a.py': Array.from({ length: 12 }, (_, i) => `x${i}`).join('\n') });
    expect(listing).toContain(' 1| x0');
    expect(listing).toContain('12| x11');
  });
});
