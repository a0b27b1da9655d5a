import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, type EditFormat } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

const response = (name: string): Promise<string> =>
  readFile(fileURLToPath(new URL(`../../fixtures/edits/responses/${name}`, import.meta.url)), 'utf8');

interface Case {
  file: string;
  format: EditFormat;
  filesChanged: string[];
  expect: Record<string, string[]>;
}

const CASES: Case[] = [
  {
    file: 'gpt-plain-fence-wrong-counts.md',
    format: 'unified-diff',
    filesChanged: ['train.py'],
    expect: {
      'train.py': [
        'BATCH_SIZE = 64\nWARMUP_STEPS = 250\nMAX_STEPS',
        '    optimizer = make_optimizer(model)\n    model.train()\n    start',
      ],
    },
  },
  {
    file: 'claude-search-replace.md',
    format: 'search-replace',
    filesChanged: ['train.py'],
    expect: {
      'train.py': [
        'WEIGHT_DECAY = 0.1\nGRAD_CLIP = 1.0\n',
        '        loss.backward()\n        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)\n',
      ],
    },
  },
  {
    file: 'codex-apply-patch.md',
    format: 'apply-patch',
    filesChanged: ['model.py', 'configs/ablation.txt'],
    expect: {
      'model.py': ['        self.norm = nn.LayerNorm(N_EMBD)\n', 'logits = self.head(self.norm(x))'],
      'configs/ablation.txt': ['norm=layer\n'],
    },
  },
  {
    file: 'aider-udiff-bare-hunks.md',
    format: 'unified-diff',
    filesChanged: ['train.py'],
    expect: { 'train.py': ['    return LEARNING_RATE * (0.1 + 0.9 * cosine)\n\n\ndef make_optimizer'] },
  },
  {
    file: 'whole-file-model.md',
    format: 'whole-file',
    filesChanged: ['model.py'],
    expect: { 'model.py': ['N_LAYER = 6\n'] },
  },
];

describe('recorded model responses', () => {
  it.each(CASES)('applies $file', async (testCase) => {
    const root = await makeTree();
    const summary = await applyEdit(root, await response(testCase.file), POLICY);
    expect(summary.format).toBe(testCase.format);
    expect(summary.filesChanged).toEqual(testCase.filesChanged);
    for (const [path, snippets] of Object.entries(testCase.expect)) {
      const content = await readText(root, path);
      for (const snippet of snippets) expect(content).toContain(snippet);
    }
  });

  it('refuses a response that also edits the frozen harness, changing nothing', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const error = await expectRefusal(
      async () => applyEdit(root, await response('touches-frozen-harness.md'), POLICY),
      'frozen',
    );
    expect(error.details).toEqual({ reason: 'frozen', path: 'harness/evaluate.py' });
    expect(await hashTree(root)).toBe(before);
  });
});
