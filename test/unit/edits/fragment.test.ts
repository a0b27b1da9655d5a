// SEARCH/REPLACE blocks whose SEARCH text is part of a line: applied when found once, refused when absent or repeated.
import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

const block = (path: string, search: string, replace: string): string =>
  `${path}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;

describe('search/replace fragments', () => {
  it('replaces a fragment found once inside a line, keeping the rest of the line', async () => {
    const root = await makeTree();
    await applyEdit(root, block('train.py', 'weight_decay=WEIGHT_DECAY', 'weight_decay=0.0'), POLICY);
    expect(await readText(root, 'train.py')).toContain(
      '    return torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.0)\n',
    );
  });

  it('replaces a fragment that spans the end of one line and the start of the next', async () => {
    const root = await makeTree();
    await applyEdit(root, block('train.py', '= 2000\nWEIGHT_DECAY', '= 4000\nWEIGHT_DECAY'), POLICY);
    const text = await readText(root, 'train.py');
    expect(text).toContain('\nMAX_STEPS = 4000\nWEIGHT_DECAY = 0.1\n');
  });

  it('refuses a fragment that occurs more than once, and one that is absent', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const twice = await expectRefusal(
      () => applyEdit(root, block('train.py', 'LEARNING_RATE * ', 'LR * '), POLICY),
      'ambiguous',
    );
    expect(twice.message).toMatch(/occurs \d+ times/);
    await expectRefusal(() => applyEdit(root, block('train.py', 'lr=LEARNING_RATE_X', 'lr=1'), POLICY), 'not_found');
    expect(await hashTree(root)).toBe(before);
  });

  it('does not match a fragment that cuts a word (x = 1 inside max = 10)', async () => {
    const root = await makeTree();
    await expectRefusal(() => applyEdit(root, block('train.py', 'S = 200', 'S = 300'), POLICY), 'not_found');
  });
});
