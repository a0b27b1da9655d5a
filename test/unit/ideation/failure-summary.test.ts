// Explore prompts summarise why ideas failed: one line per failure category, with a one-line reason.
import { describe, expect, it } from 'vitest';

import type { Experiment, Idea } from '../../../src/domain/records.js';
import type { IdeaOutcome } from '../../../src/ideation/ideator.js';
import { explorePrompt } from '../../../src/ideation/prompts/explore.js';
import { failureOf, failureSummary } from '../../../src/ideation/prompts/past-ideas.js';
import { makeIdea, TOY_FILES } from '../../helpers/llm-fixtures.js';
import { loadManifest } from '../../../src/environments/registry.js';
import { FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';
import { join } from 'node:path';

function failedRun(idea: Idea, category: 'oom' | 'crashed', message: string, logTail = ''): IdeaOutcome {
  const experiment: Experiment = {
    id: `exp_${idea.id}`,
    schemaVersion: 1,
    implementationId: 'impl',
    ideaId: idea.id,
    environment: 'toy',
    profile: 'default',
    state: 'failed',
    runs: [],
    failure: { category, message, logTail },
    createdAt: '',
    updatedAt: '',
  };
  return { idea, experiment };
}

const outcomes: IdeaOutcome[] = [
  failedRun(makeIdea('a', 'Huge model'), 'oom', 'out of memory'),
  failedRun(makeIdea('b', 'Bigger model'), 'oom', 'out of memory', 'step 3\nRuntimeError: CUDA out of memory\n'),
  failedRun(makeIdea('c', 'Typo'), 'crashed', 'exit code 1', "NameError: name 'F' is not defined"),
  { idea: makeIdea('d', 'Unbuildable'), implementationError: 'edit_refused: train.py: the SEARCH text was not found' },
  { idea: makeIdea('e', 'Fine') },
];

describe('failure summary', () => {
  it('gives each failed idea a category and a one-line reason', () => {
    expect(failureOf(outcomes[1] as IdeaOutcome)).toEqual({
      category: 'oom',
      reason: 'out of memory: RuntimeError: CUDA out of memory',
    });
    expect(failureOf(outcomes[3] as IdeaOutcome)).toEqual({
      category: 'edit_refused',
      reason: 'train.py: the SEARCH text was not found',
    });
    expect(failureOf(outcomes[4] as IdeaOutcome)).toBeUndefined();
  });

  it('counts categories, most frequent first, and the explore prompt shows them', async () => {
    const summary = failureSummary(outcomes);
    expect(summary.split('\n')).toEqual([
      '- oom (2×): out of memory: RuntimeError: CUDA out of memory (latest: "Bigger model")',
      `- crashed (1×): exit code 1: NameError: name 'F' is not defined (latest: "Typo")`,
      '- edit_refused (1×): train.py: the SEARCH text was not found (latest: "Unbuildable")',
    ]);
    const { manifest } = await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'));
    const prompt = explorePrompt({
      manifest,
      files: TOY_FILES,
      count: 2,
      avoid: [],
      tried: outcomes.slice(4),
      triedTotal: 5,
      failures: outcomes.slice(0, 4),
    });
    expect(prompt.user).toContain('## Why ideas failed so far, by category');
    expect(prompt.user).toContain('- oom (2×)');
    expect(failureSummary([outcomes[4] as IdeaOutcome])).toBe('');
  });
});
