import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, parseEdit, planEdit } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

const LR_DIFF = `diff --git a/train.py b/train.py
--- a/train.py
+++ b/train.py
@@ -8,7 +8,7 @@ from model import TinyLM
 
 LEARNING_RATE = 3e-4
-BATCH_SIZE = 32
+BATCH_SIZE = 64
 WARMUP_STEPS = 100
 MAX_STEPS = 2000
 WEIGHT_DECAY = 0.1
`;

async function afterApplying(text: string, path = 'train.py'): Promise<string> {
  const root = await makeTree();
  await applyEdit(root, text, POLICY);
  return readText(root, path);
}

describe('unified diffs', () => {
  it('applies a git-style diff', async () => {
    const train = await afterApplying(LR_DIFF);
    expect(train).toContain('BATCH_SIZE = 64\n');
    expect(train).not.toContain('BATCH_SIZE = 32');
  });

  it('accepts plain --- x / +++ x headers without a/ b/ (the reference flattened these)', async () => {
    const text = LR_DIFF.replace('diff --git a/train.py b/train.py\n', '')
      .replace('--- a/train.py', '--- train.py')
      .replace('+++ b/train.py', '+++ train.py');
    expect(await afterApplying(text)).toContain('BATCH_SIZE = 64\n');
  });

  it('ignores wrong hunk counts and wrong line numbers', async () => {
    const text = LR_DIFF.replace('@@ -8,7 +8,7 @@', '@@ -30,2 +31,9 @@');
    expect(await afterApplying(text)).toContain('BATCH_SIZE = 64\n');
  });

  it('treats a bare @@ as a context-anchored hunk, never a silent no-op', async () => {
    const text = `--- a/train.py\n+++ b/train.py\n@@\n WARMUP_STEPS = 100\n-MAX_STEPS = 2000\n+MAX_STEPS = 4000\n`;
    expect(await afterApplying(text)).toContain('MAX_STEPS = 4000\n');
  });

  it('uses the text after a bare @@ as an anchor (apply_patch style)', async () => {
    const text = `--- a/train.py\n+++ b/train.py\n@@ def evaluate(model, batches):\n-    model.eval()\n+    model.eval()\n+    torch.manual_seed(0)\n`;
    expect(await afterApplying(text)).toContain('    model.eval()\n    torch.manual_seed(0)\n');
  });

  it('refuses a bare @@ hunk whose context matches twice, leaving the tree unchanged', async () => {
    const root = await makeTree();
    await writeFile(
      join(root, 'train.py'),
      (await readText(root, 'train.py')) + '\ndef again():\n    with torch.no_grad():\n        pass\n',
    );
    const before = await hashTree(root);
    const text = `--- a/train.py\n+++ b/train.py\n@@\n-    with torch.no_grad():\n+    with torch.inference_mode():\n`;
    const error = await expectRefusal(() => applyEdit(root, text, POLICY), 'ambiguous');
    expect(error.message).toMatch(/matches 2 places in train\.py \(lines 47, 58\)/);
    expect(error.message).toContain('more unchanged lines');
    expect(await hashTree(root)).toBe(before);
  });

  it('matches a hunk whose whole block is indented differently, shifting the new lines alike', async () => {
    const text = `--- a/train.py\n+++ b/train.py\n@@\n-        model.eval()\n+        model.eval()\n+        torch.manual_seed(0)\n`;
    expect(await afterApplying(text)).toContain('\n    model.eval()\n    torch.manual_seed(0)\n    total = 0.0\n');
  });

  it('uses line numbers to choose between repeated context', async () => {
    const root = await makeTree();
    await writeFile(
      join(root, 'train.py'),
      (await readText(root, 'train.py')) + '\ndef again():\n    with torch.no_grad():\n        pass\n',
    );
    const text = `--- a/train.py\n+++ b/train.py\n@@ -57,2 +57,2 @@\n def again():\n-    with torch.no_grad():\n+    with torch.inference_mode():\n`;
    await applyEdit(root, text, POLICY);
    const train = await readText(root, 'train.py');
    expect(train).toContain('def again():\n    with torch.inference_mode():\n');
    expect(train).toContain('    with torch.no_grad():\n        for inputs');
  });

  it('accepts blank context lines that lost their leading space', async () => {
    const text = LR_DIFF.replace('TinyLM\n \n LEARNING_RATE', 'TinyLM\n\n LEARNING_RATE');
    expect(text).toContain('@@ from model import TinyLM\n\n LEARNING');
    expect(await afterApplying(text)).toContain('BATCH_SIZE = 64\n');
  });

  it('tolerates trailing-whitespace drift in context', async () => {
    const text = LR_DIFF.replace(' WARMUP_STEPS = 100\n', ' WARMUP_STEPS = 100   \n').replace(
      ' LEARNING_RATE = 3e-4\n',
      ' LEARNING_RATE = 3e-4\t\n',
    );
    expect(await afterApplying(text)).toContain('LEARNING_RATE = 3e-4\nBATCH_SIZE = 64\nWARMUP_STEPS = 100\n');
  });

  it('applies a CRLF diff to an LF file and keeps LF', async () => {
    const train = await afterApplying(LR_DIFF.replace(/\n/g, '\r\n'));
    expect(train).toContain('BATCH_SIZE = 64\n');
    expect(train).not.toContain('\r');
  });

  it('applies a diff to a CRLF file and keeps CRLF everywhere', async () => {
    const root = await makeTree();
    const original = await readText(root, 'train.py');
    await writeFile(join(root, 'train.py'), original.replace(/\n/g, '\r\n'));
    await applyEdit(root, LR_DIFF, POLICY);
    const train = await readText(root, 'train.py');
    expect(train).toBe(original.replace('BATCH_SIZE = 32', 'BATCH_SIZE = 64').replace(/\n/g, '\r\n'));
  });

  it('applies several files in one diff, keeping subfolder paths', async () => {
    const root = await makeTree();
    const text = `Here is the change:

\`\`\`diff
--- a/train.py
+++ b/train.py
@@ -10 +10 @@
-BATCH_SIZE = 32
+BATCH_SIZE = 16
--- a/model.py
+++ b/model.py
@@ -4,2 +4,2 @@
-N_LAYER = 4
+N_LAYER = 6
 N_EMBD = 128
--- /dev/null
+++ b/utils/schedule.py
@@ -0,0 +1,2 @@
+def constant(step):
+    return 1.0
\`\`\`

This doubles the depth and halves the batch.
`;
    const summary = await applyEdit(root, text, POLICY);
    expect(summary.filesChanged).toEqual(['train.py', 'model.py', 'utils/schedule.py']);
    expect(await readText(root, 'model.py')).toContain('N_LAYER = 6\n');
    expect(await readText(root, 'utils/schedule.py')).toBe('def constant(step):\n    return 1.0\n');
  });

  it.each([
    ['```diff', '```'],
    ['```patch', '```'],
    ['```', '```'],
    ['~~~', '~~~'],
  ])('reads a diff fenced with %s', async (open, close) => {
    const text = `I will raise the batch size.\n\n${open}\n${LR_DIFF}${close}\n\nThat is all.\n`;
    expect(await afterApplying(text)).toContain('BATCH_SIZE = 64\n');
  });

  it('reads an unfenced diff wrapped in prose', async () => {
    const text = `The idea is a bigger batch.\n\n${LR_DIFF}\nThis should reduce gradient noise.\n`;
    expect(await afterApplying(text)).toContain('BATCH_SIZE = 64\n');
  });

  it('applies several hunks in one file, later ones seeing earlier ones', async () => {
    const text = `--- train.py
+++ train.py
@@ -9,2 +9,3 @@
 LEARNING_RATE = 3e-4
+BETA2 = 0.95
 BATCH_SIZE = 32
@@ -23,2 +24,2 @@
 def make_optimizer(model):
-    return torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
+    return torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, betas=(0.9, BETA2), weight_decay=WEIGHT_DECAY)
`;
    const train = await afterApplying(text);
    expect(train).toContain('LEARNING_RATE = 3e-4\nBETA2 = 0.95\nBATCH_SIZE = 32\n');
    expect(train).toContain('betas=(0.9, BETA2)');
  });

  it('deletes a file with +++ /dev/null', async () => {
    const root = await makeTree();
    const model = await readText(root, 'model.py');
    const body = model
      .trimEnd()
      .split('\n')
      .map((line) => `-${line}`)
      .join('\n');
    const summary = await applyEdit(root, `--- a/model.py\n+++ /dev/null\n@@ -1,21 +0,0 @@\n${body}\n`, POLICY);
    expect(summary.filesChanged).toEqual(['model.py']);
    expect(summary.removed).toBe(21);
    await expect(readText(root, 'model.py')).rejects.toThrow();
  });

  it('honours "\\ No newline at end of file"', async () => {
    const text = `--- a/model.py\n+++ b/model.py\n@@ -21 +21,2 @@\n         return nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))\n+# end\n\\ No newline at end of file\n`;
    const model = await afterApplying(text, 'model.py');
    expect(model.endsWith('targets.view(-1))\n# end')).toBe(true);
  });

  it('refuses a deletion of lines that are not in the file, quoting them and the closest text', async () => {
    const root = await makeTree();
    const before = await hashTree(root);
    const text = `--- a/train.py\n+++ b/train.py\n@@ -10 +10 @@\n LEARNING_RATE = 3e-4\n-BATCH_SIZE = 48\n+BATCH_SIZE = 64\n`;
    const error = await expectRefusal(() => applyEdit(root, text, POLICY), 'not_found');
    expect(error.message).toContain('not found in train.py');
    expect(error.message).toContain('BATCH_SIZE = 48');
    expect(error.message).toMatch(/closest text is at lines 9–10/);
    expect(error.message).toContain('BATCH_SIZE = 32');
    expect(error.details).toMatchObject({ path: 'train.py' });
    expect(await hashTree(root)).toBe(before);
  });

  it('refuses a hunk with no file header', async () => {
    const root = await makeTree();
    await expectRefusal(
      () => planEdit(root, '@@ -10 +10 @@\n-BATCH_SIZE = 32\n+BATCH_SIZE = 64\n', POLICY),
      'unparseable',
    );
  });

  it('refuses binary patches', async () => {
    const root = await makeTree();
    const text = 'diff --git a/data.bin b/data.bin\nindex 1..2 100644\nGIT binary patch\nliteral 4\nabc\n';
    await expectRefusal(() => planEdit(root, text, POLICY), 'binary');
  });

  it('refuses headers with no hunks as a no-op', async () => {
    const root = await makeTree();
    await expectRefusal(() => planEdit(root, '--- a/train.py\n+++ b/train.py\n', POLICY), 'no_op');
  });

  it('parses git renames', () => {
    const parsed = parseEdit(
      'diff --git a/model.py b/net.py\nsimilarity index 100%\nrename from model.py\nrename to net.py\n',
    );
    expect(parsed.operations).toEqual([{ kind: 'update', path: 'model.py', hunks: [], moveTo: 'net.py' }]);
  });
});

describe('unified diffs: model habits', () => {
  it('takes the path from the fence label when the fenced diff has only hunks', async () => {
    const text = 'In `train.py`:\n\ntrain.py\n```diff\n@@ -10 +10 @@\n-BATCH_SIZE = 32\n+BATCH_SIZE = 48\n```\n';
    expect(await afterApplying(text)).toContain('\nBATCH_SIZE = 48\n');
  });

  it('keeps the file bytes of unchanged lines whose copy in the hunk drifted', async () => {
    const root = await makeTree();
    const original = (await readText(root, 'train.py')).replace('WARMUP_STEPS = 100\n', 'WARMUP_STEPS = 100   \n');
    await writeFile(join(root, 'train.py'), original);
    const text =
      '--- a/train.py\n+++ b/train.py\n@@\n-BATCH_SIZE = 32\n+BATCH_SIZE = 64\n WARMUP_STEPS = 100\n-MAX_STEPS = 2000\n+MAX_STEPS = 1000\n';
    const summary = await applyEdit(root, text, POLICY);
    expect(await readText(root, 'train.py')).toBe(
      original.replace('BATCH_SIZE = 32', 'BATCH_SIZE = 64').replace('MAX_STEPS = 2000', 'MAX_STEPS = 1000'),
    );
    expect(summary).toMatchObject({ added: 2, removed: 2 });
  });
});
