import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, parseEdit } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

describe('apply_patch envelopes', () => {
  it('updates a file with an @@ anchor and context lines', async () => {
    const root = await makeTree();
    const text = `*** Begin Patch
*** Update File: train.py
@@ def make_optimizer(model):
-    return torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
+    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)
*** End Patch
`;
    const summary = await applyEdit(root, text, POLICY);
    expect(summary.format).toBe('apply-patch');
    expect(await readText(root, 'train.py')).toContain(
      '    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)\n',
    );
  });

  it('uses the anchor to pick among repeated lines', async () => {
    const root = await makeTree();
    await writeFile(
      join(root, 'model.py'),
      `${await readText(root, 'model.py')}\n\nclass Other(nn.Module):\n    def __init__(self):\n        super().__init__()\n`,
    );
    const text = `*** Begin Patch\n*** Update File: model.py\n@@ class Other(nn.Module):\n     def __init__(self):\n         super().__init__()\n+        self.ready = True\n*** End Patch\n`;
    await applyEdit(root, text, POLICY);
    const model = await readText(root, 'model.py');
    expect(
      model.endsWith(
        'class Other(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.ready = True\n',
      ),
    ).toBe(true);
    expect(model.match(/self\.ready/g)).toHaveLength(1);
  });

  it('adds, deletes and moves files, fenced and wrapped in prose', async () => {
    const root = await makeTree();
    const text = `Sure, here is the patch:

\`\`\`
*** Begin Patch
*** Add File: utils/seed.py
+import random
+
+def seed_everything(seed):
+    random.seed(seed)
*** Delete File: model.py
*** Update File: train.py
*** Move to: train_main.py
@@
-from model import TinyLM
+from net import TinyLM
*** End Patch
\`\`\`
`;
    const summary = await applyEdit(root, text, POLICY);
    expect(summary.filesChanged.sort()).toEqual(['model.py', 'train.py', 'train_main.py', 'utils/seed.py']);
    expect(await readText(root, 'utils/seed.py')).toBe(
      'import random\n\ndef seed_everything(seed):\n    random.seed(seed)\n',
    );
    await expect(readText(root, 'model.py')).rejects.toThrow();
    await expect(readText(root, 'train.py')).rejects.toThrow();
    expect(await readText(root, 'train_main.py')).toContain('from net import TinyLM\n');
  });

  it('applies several hunks in order and honours *** End of File', async () => {
    const root = await makeTree();
    const text = `*** Begin Patch
*** Update File: train.py
@@
 LEARNING_RATE = 3e-4
-BATCH_SIZE = 32
+BATCH_SIZE = 128
@@ if __name__ == "__main__":
     model = TinyLM()
-    print(train(model, []))
+    print(train(model, []), evaluate(model, []))
*** End of File
*** End Patch`;
    await applyEdit(root, text, POLICY);
    const train = await readText(root, 'train.py');
    expect(train).toContain('BATCH_SIZE = 128\n');
    expect(train.endsWith('    print(train(model, []), evaluate(model, []))\n')).toBe(true);
  });

  it('parses context lines that lost their leading space', () => {
    const parsed = parseEdit('*** Begin Patch\n*** Update File: a.py\n@@\nx = 1\n\n-y = 2\n+y = 3\n*** End Patch\n');
    expect(parsed.operations).toMatchObject([
      { kind: 'update', path: 'a.py', hunks: [{ oldLines: ['x = 1', '', 'y = 2'], newLines: ['x = 1', '', 'y = 3'] }] },
    ]);
  });

  it('refuses removed lines that are not in the file and leaves the tree unchanged', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const text =
      '*** Begin Patch\n*** Update File: train.py\n@@\n-GRAD_CLIP = 1.0\n+GRAD_CLIP = 0.5\n*** Add File: notes.txt\n+hello\n*** End Patch\n';
    const error = await expectRefusal(() => applyEdit(root, text, POLICY), 'not_found');
    expect(error.message).toContain('GRAD_CLIP = 1.0');
    expect(await hashTree(root)).toBe(before);
  });

  it('refuses adding a file that exists', async () => {
    const root = await makeTree();
    await expectRefusal(
      () => applyEdit(root, '*** Begin Patch\n*** Add File: model.py\n+x = 1\n*** End Patch\n', POLICY),
      'file_exists',
    );
  });

  it('refuses an update section without changes', async () => {
    const root = await makeTree();
    await expectRefusal(
      () =>
        applyEdit(root, '*** Begin Patch\n*** Update File: train.py\n@@\n BATCH_SIZE = 32\n*** End Patch\n', POLICY),
      'no_op',
    );
  });
});
