import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, writeChanges } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

describe('applyEdit', () => {
  it('returns a summary with the canonical diff, not the model text', async () => {
    const root = await makeTree();
    const summary = await applyEdit(
      root,
      'Try this:\n\ntrain.py\n<<<<<<< SEARCH\nBATCH_SIZE = 32\n=======\nBATCH_SIZE = 64\nGRAD_CLIP = 1.0\n>>>>>>> REPLACE\n',
      POLICY,
    );
    expect(summary).toMatchObject({ format: 'search-replace', filesChanged: ['train.py'], added: 2, removed: 1 });
    expect(summary.diff).toContain('diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -7,7 +7,8 @@');
    expect(summary.diff).toContain('\n-BATCH_SIZE = 32\n+BATCH_SIZE = 64\n+GRAD_CLIP = 1.0\n');
    expect(summary.diff).not.toContain('SEARCH');
  });

  it('keeps file modes and leaves no temp files behind', async () => {
    const root = await makeTree();
    await chmod(join(root, 'train.py'), 0o755);
    await applyEdit(root, '--- a/train.py\n+++ b/train.py\n@@\n-BATCH_SIZE = 32\n+BATCH_SIZE = 64\n', POLICY);
    expect((await stat(join(root, 'train.py'))).mode & 0o777).toBe(0o755);
    expect((await readdir(root)).sort()).toEqual(['harness', 'model.py', 'train.py']);
  });

  it('restores every file when a later write fails', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const train = await readText(root, 'train.py');
    const changes = [
      { path: 'train.py', before: train, after: train.replace('BATCH_SIZE = 32', 'BATCH_SIZE = 64') },
      { path: 'new/dir/file.py', before: null, after: 'x = 1\n' },
      { path: 'model.py', before: await readText(root, 'model.py'), after: null },
      // train.py is a file, so nothing can be written beneath it.
      { path: 'train.py/oops.py', before: null, after: 'boom\n' },
    ];
    const error = await expectRefusal(() => writeChanges(root, changes), 'write_failed');
    expect(error.message).toContain('train.py/oops.py');
    expect(error.message).toContain('no file was changed');
    expect(await hashTree(root)).toBe(before);
  });

  it('refuses everything when any part of a multi-file edit fails, writing nothing', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const text =
      'train.py\n<<<<<<< SEARCH\nBATCH_SIZE = 32\n=======\nBATCH_SIZE = 64\n>>>>>>> REPLACE\n\n' +
      'model.py\n<<<<<<< SEARCH\nN_LAYER = 5\n=======\nN_LAYER = 6\n>>>>>>> REPLACE\n';
    await expectRefusal(() => applyEdit(root, text, POLICY), 'not_found');
    expect(await hashTree(root)).toBe(before);
  });

  it('keeps untouched lines of a mixed-ending file byte-identical', async () => {
    const root = await makeTree();
    await writeFile(join(root, 'mixed.py'), 'a = 1\r\nb = 2\nc = 3\r\nd = 4');
    await applyEdit(root, 'mixed.py\n<<<<<<< SEARCH\nc = 3\n=======\nc = 30\n>>>>>>> REPLACE\n', POLICY);
    expect(await readText(root, 'mixed.py')).toBe('a = 1\r\nb = 2\nc = 30\r\nd = 4');
  });
});
