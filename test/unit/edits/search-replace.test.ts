import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, parseEdit, planEdit } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

const block = (path: string, search: string, replace: string): string =>
  `${path}\n\`\`\`python\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n\`\`\`\n`;

describe('search/replace blocks', () => {
  it('applies an aider-style block with the path before the fence', async () => {
    const root = await makeTree();
    const summary = await applyEdit(root, block('train.py', 'WARMUP_STEPS = 100', 'WARMUP_STEPS = 200'), POLICY);
    expect(summary.format).toBe('search-replace');
    expect(await readText(root, 'train.py')).toContain('\nWARMUP_STEPS = 200\n');
  });

  it.each(['`train.py`', '**train.py**', '### train.py', 'File: train.py', '**`train.py`**', 'train.py:'])(
    'reads the path written as %s',
    async (label) => {
      const root = await makeTree();
      await applyEdit(root, `Here is the change.\n\n${block(label, 'MAX_STEPS = 2000', 'MAX_STEPS = 3000')}`, POLICY);
      expect(await readText(root, 'train.py')).toContain('\nMAX_STEPS = 3000\n');
    },
  );

  it('applies several blocks to several files, unfenced, later blocks reusing the last path', async () => {
    const root = await makeTree();
    const text = [
      'train.py',
      '<<<<<<< SEARCH',
      'BATCH_SIZE = 32',
      '=======',
      'BATCH_SIZE = 64',
      '>>>>>>> REPLACE',
      '',
      '<<<<<<< SEARCH',
      'MAX_STEPS = 2000',
      '=======',
      'MAX_STEPS = 1000',
      '>>>>>>> REPLACE',
      '',
      'model.py',
      '<<<<<<< SEARCH',
      'N_EMBD = 128',
      '=======',
      'N_EMBD = 256',
      '>>>>>>> REPLACE',
    ].join('\n');
    const summary = await applyEdit(root, text, POLICY);
    expect(summary.filesChanged).toEqual(['train.py', 'model.py']);
    const train = await readText(root, 'train.py');
    expect(train).toContain('BATCH_SIZE = 64\n');
    expect(train).toContain('MAX_STEPS = 1000\n');
    expect(await readText(root, 'model.py')).toContain('N_EMBD = 256\n');
  });

  it('creates a missing file from an empty SEARCH', async () => {
    const root = await makeTree();
    await applyEdit(
      root,
      block('src/schedules.py', '', 'def linear(step, total):\n    return 1 - step / total'),
      POLICY,
    );
    expect(await readText(root, 'src/schedules.py')).toBe('def linear(step, total):\n    return 1 - step / total\n');
  });

  it('refuses an empty SEARCH on an existing file', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const error = await expectRefusal(() => applyEdit(root, block('train.py', '', 'x = 1'), POLICY), 'not_found');
    expect(error.message).toContain('no unchanged lines');
    expect(await hashTree(root)).toBe(before);
  });

  it('matches ignoring trailing whitespace', async () => {
    const root = await makeTree();
    await applyEdit(
      root,
      block('train.py', 'BATCH_SIZE = 32   \nWARMUP_STEPS = 100\t', 'BATCH_SIZE = 8\nWARMUP_STEPS = 100'),
      POLICY,
    );
    expect(await readText(root, 'train.py')).toContain('\nBATCH_SIZE = 8\nWARMUP_STEPS = 100\n');
  });

  it('matches a block written without its indentation and re-indents the replacement', async () => {
    const root = await makeTree();
    const search = 'loss = model(inputs, targets)\nloss.backward()';
    const replace =
      'loss = model(inputs, targets)\nloss.backward()\ntorch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)';
    await applyEdit(root, block('train.py', search, replace), POLICY);
    expect(await readText(root, 'train.py')).toContain(
      '        loss = model(inputs, targets)\n        loss.backward()\n        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n        optimizer.step()\n',
    );
  });

  it('refuses an ambiguous SEARCH with the match count and asks for more context', async () => {
    const root = await makeTree();
    await writeFile(
      join(root, 'model.py'),
      `${await readText(root, 'model.py')}\n\nclass Other(nn.Module):\n    def __init__(self):\n        super().__init__()\n`,
    );
    const before = await hashTree(root);
    const error = await expectRefusal(
      () =>
        applyEdit(
          root,
          block('model.py', '        super().__init__()', '        super().__init__()\n        self.ready = True'),
          POLICY,
        ),
      'ambiguous',
    );
    expect(error.message).toContain('SEARCH block #1 matches 2 places in model.py');
    expect(error.message).toContain('more unchanged lines');
    expect(await hashTree(root)).toBe(before);
  });

  it('refuses a SEARCH that is not in the file, quoting the closest lines', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const search = 'def get_lr(step):\n    if step < WARMUP:\n        return LEARNING_RATE * step / WARMUP';
    const error = await expectRefusal(
      () => applyEdit(root, block('train.py', search, 'def get_lr(step):\n    return LEARNING_RATE'), POLICY),
      'not_found',
    );
    expect(error.message).toContain('SEARCH block #1 not found in train.py');
    expect(error.message).toContain('if step < WARMUP:');
    expect(error.message).toMatch(/the closest text is at lines 16–18/i);
    expect(error.message).toContain('   17 |     if step < WARMUP_STEPS:');
    expect(await hashTree(root)).toBe(before);
  });

  it('refuses a block with no path, and a block with no divider', async () => {
    const root = await makeTree();
    await expectRefusal(
      () => planEdit(root, '<<<<<<< SEARCH\nBATCH_SIZE = 32\n=======\nBATCH_SIZE = 64\n>>>>>>> REPLACE\n', POLICY),
      'unparseable',
    );
    const error = await expectRefusal(
      () => planEdit(root, 'train.py\n<<<<<<< SEARCH\nBATCH_SIZE = 32\n>>>>>>> REPLACE\n', POLICY),
      'unparseable',
    );
    expect(error.message).toContain('=======');
  });

  it('refuses a block whose replacement is identical as a no-op', async () => {
    const root = await makeTree();
    const error = await expectRefusal(
      () => planEdit(root, block('train.py', 'BATCH_SIZE = 32', 'BATCH_SIZE = 32'), POLICY),
      'no_op',
    );
    expect(error.message).toContain('changes nothing');
  });

  it('is detected as search/replace even inside a fence labelled with a path', () => {
    const parsed = parseEdit(
      '```python train.py\n<<<<<<< SEARCH\nBATCH_SIZE = 32\n=======\nBATCH_SIZE = 64\n>>>>>>> REPLACE\n```\n',
    );
    expect(parsed.format).toBe('search-replace');
    expect(parsed.operations).toMatchObject([{ kind: 'update', path: 'train.py' }]);
  });
});
