import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, planEdit } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeEmptyDir, makeTree, POLICY } from './edit-tree.js';

afterEach(cleanTrees);

const replaceIn = (path: string, search: string, replace: string): string =>
  `${path}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;

const EVALUATE = replaceIn('harness/evaluate.py', '    out = os.environ["GROUNDWORK_OUT"]', '    out = "/tmp"');

/** Every refusal must leave the tree byte-identical. */
async function refusedUnchanged(root: string, text: string, reason: string, policy = POLICY): Promise<string> {
  const before = await hashTree(root);
  const error = await expectRefusal(() => applyEdit(root, text, policy), reason);
  expect(await hashTree(root)).toBe(before);
  return error.message;
}

describe('edit policy', () => {
  it('refuses an edit to a frozen file, naming the file, the glob and what is editable', async () => {
    const root = await makeTree();
    const message = await refusedUnchanged(root, EVALUATE, 'frozen');
    expect(message).toContain('harness/evaluate.py is frozen');
    expect(message).toContain('"harness/**"');
    expect(message).toContain('Every file not matching "harness/**" may be edited');
  });

  it('lists the editable files when the policy has them', async () => {
    const root = await makeTree();
    const message = await refusedUnchanged(root, EVALUATE, 'frozen', {
      frozen: ['harness/**'],
      editable: ['train.py', 'model.py'],
    });
    expect(message).toContain('Files you may edit: train.py, model.py.');
  });

  it('refuses a file outside the editable globs', async () => {
    const root = await makeTree();
    const message = await refusedUnchanged(root, replaceIn('model.py', 'N_LAYER = 4', 'N_LAYER = 2'), 'not_editable', {
      frozen: [],
      editable: ['train.py'],
    });
    expect(message).toContain('model.py is not editable');
  });

  it('refuses the whole edit when one of several files is frozen', async () => {
    const root = await makeTree();
    await refusedUnchanged(root, replaceIn('train.py', 'BATCH_SIZE = 32', 'BATCH_SIZE = 64') + EVALUATE, 'frozen');
  });

  it('refuses moving a file onto a frozen path', async () => {
    const root = await makeTree();
    await refusedUnchanged(
      root,
      '*** Begin Patch\n*** Update File: model.py\n*** Move to: harness/model.py\n*** End Patch\n',
      'frozen',
    );
  });
});

describe('path safety', () => {
  it.each([
    ['../outside.py', 'points outside the project'],
    ['sub/../../outside.py', 'points outside the project'],
    ['/etc/passwd', 'absolute path'],
  ])('refuses %s', async (path, words) => {
    const root = await makeTree();
    const message = await refusedUnchanged(root, `--- /dev/null\n+++ ${path}\n@@ -0,0 +1 @@\n+x = 1\n`, 'outside_tree');
    expect(message).toContain(words);
  });

  it('keeps ./ and inner .. that stay inside the tree', async () => {
    const root = await makeTree();
    const plan = await planEdit(root, replaceIn('./harness/../model.py', 'N_LAYER = 4', 'N_LAYER = 2'), POLICY);
    expect(plan.changes.map((change) => change.path)).toEqual(['model.py']);
  });

  it('refuses paths that leave the tree through a symlinked folder', async () => {
    const root = await makeTree();
    const outside = await makeEmptyDir();
    await writeFile(join(outside, 'secret.py'), 'TOKEN = 1\n');
    await symlink(outside, join(root, 'linked'));
    const message = await refusedUnchanged(
      root,
      replaceIn('linked/secret.py', 'TOKEN = 1', 'TOKEN = 2'),
      'outside_tree',
    );
    expect(message).toContain('symbolic link');
    await refusedUnchanged(root, replaceIn('linked/new.py', '', 'x = 1'), 'outside_tree');
  });

  it('refuses editing a symlinked file even inside the tree', async () => {
    const root = await makeTree();
    await symlink('model.py', join(root, 'alias.py'));
    const message = await refusedUnchanged(root, replaceIn('alias.py', 'N_LAYER = 4', 'N_LAYER = 2'), 'outside_tree');
    expect(message).toContain('edit the file it points to');
  });

  it('refuses binary files', async () => {
    const root = await makeTree();
    await writeFile(join(root, 'weights.py'), Buffer.from([0x78, 0x00, 0x0a]));
    await refusedUnchanged(root, replaceIn('weights.py', 'x', 'y'), 'binary');
  });

  it('refuses a folder named as a file', async () => {
    const root = await makeTree();
    await mkdir(join(root, 'configs'));
    const message = await refusedUnchanged(root, '--- a/configs\n+++ b/configs\n@@\n-a\n+b\n', 'not_a_file');
    expect(message).toContain('configs is a directory');
  });
});

describe('no edit, no change', () => {
  it.each([
    ['', 'no_edit_found'],
    ['I think we should raise the learning rate.', 'no_edit_found'],
    ['```python\nLEARNING_RATE = 1e-3\n```', 'no_edit_found'],
    ['```diff\n```', 'no_edit_found'],
  ])('refuses %j', async (text, reason) => {
    const root = await makeTree();
    const message = await refusedUnchanged(root, text, reason);
    expect(message).toContain('Accepted formats');
  });

  it('refuses a diff that rewrites identical text', async () => {
    const root = await makeTree();
    const message = await refusedUnchanged(
      root,
      '--- a/train.py\n+++ b/train.py\n@@\n-BATCH_SIZE = 32\n+BATCH_SIZE = 32\n',
      'no_op',
    );
    expect(message).toContain('changes nothing');
  });

  it('refuses deleting or updating a file that does not exist', async () => {
    const root = await makeTree();
    await refusedUnchanged(root, '*** Begin Patch\n*** Delete File: nope.py\n*** End Patch\n', 'file_missing');
    const message = await refusedUnchanged(root, replaceIn('nope.py', 'x = 1', 'x = 2'), 'file_missing');
    expect(message).toContain('To create a file');
  });
});

describe('missing files', () => {
  it('suggests the path relative to the root when the model prefixed a folder', async () => {
    const root = await makeTree();
    const message = await refusedUnchanged(
      root,
      '--- a/nanogpt/train.py\n+++ b/nanogpt/train.py\n@@\n-BATCH_SIZE = 32\n+BATCH_SIZE = 64\n',
      'file_missing',
    );
    expect(message).toContain('nanogpt/train.py does not exist. Did you mean train.py?');
  });
});
