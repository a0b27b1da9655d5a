import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, canonicalDiff, countChangedLines, type FileChange, planEdit } from '../../../src/edits/index.js';
import { cleanTrees, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

describe('canonicalDiff', () => {
  it('writes git-style headers, /dev/null for creations and deletions, and skips unchanged files', () => {
    const changes: FileChange[] = [
      { path: 'src/a.py', before: 'x = 1\n', after: 'x = 2\n' },
      { path: 'new.py', before: null, after: 'y = 1\n' },
      { path: 'old.py', before: 'z = 1\n', after: null },
      { path: 'same.py', before: 'q\n', after: 'q\n' },
    ];
    expect(canonicalDiff(changes)).toBe(
      [
        'diff --git a/src/a.py b/src/a.py',
        '--- a/src/a.py',
        '+++ b/src/a.py',
        '@@ -1,1 +1,1 @@',
        '-x = 1',
        '+x = 2',
        'diff --git a/new.py b/new.py',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/new.py',
        '@@ -0,0 +1,1 @@',
        '+y = 1',
        'diff --git a/old.py b/old.py',
        'deleted file mode 100644',
        '--- a/old.py',
        '+++ /dev/null',
        '@@ -1,1 +0,0 @@',
        '-z = 1',
        '',
      ].join('\n'),
    );
    expect(countChangedLines(changes)).toEqual({ added: 2, removed: 2 });
  });

  it('round-trips: the canonical diff, parsed by our own parser, rebuilds the same files', async () => {
    const original = await makeTree();
    // A CRLF file and a file without a final newline make the round trip harder.
    await writeFile(join(original, 'crlf.py'), 'A = 1\r\nB = 2\r\nC = 3\r\n');
    await writeFile(join(original, 'tail.py'), 'x = 1\ny = 2');
    const edit = `*** Begin Patch
*** Update File: train.py
@@
 LEARNING_RATE = 3e-4
-BATCH_SIZE = 32
+BATCH_SIZE = 64
@@ def evaluate(model, batches):
     model.eval()
+    torch.manual_seed(0)
*** Update File: crlf.py
@@
-B = 2
+B = 20
*** Update File: tail.py
@@
-y = 2
+y = 3
+z = 4
*** Add File: utils/new.py
+VALUE = 1
*** Delete File: model.py
*** End Patch
`;
    const planned = await planEdit(original, edit, POLICY);
    const diff = canonicalDiff(planned.changes);

    const copy = await makeTree();
    await writeFile(join(copy, 'crlf.py'), 'A = 1\r\nB = 2\r\nC = 3\r\n');
    await writeFile(join(copy, 'tail.py'), 'x = 1\ny = 2');
    const summary = await applyEdit(copy, diff, POLICY);
    expect(summary.format).toBe('unified-diff');
    expect(summary.diff).toBe(diff);
    for (const change of planned.changes) {
      if (change.after === null) await expect(readText(copy, change.path)).rejects.toThrow();
      else expect(await readText(copy, change.path)).toBe(change.after);
    }
    expect(await readText(copy, 'crlf.py')).toBe('A = 1\r\nB = 20\r\nC = 3\r\n');
    expect(await readText(copy, 'tail.py')).toBe('x = 1\ny = 3\nz = 4');
  });
});
