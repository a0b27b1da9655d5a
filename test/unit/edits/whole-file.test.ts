import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { applyEdit, parseEdit, WHOLE_FILE_MAX_LINES } from '../../../src/edits/index.js';
import { cleanTrees, expectRefusal, hashTree, makeTree, POLICY, readText } from './edit-tree.js';

afterEach(cleanTrees);

async function newModel(root: string): Promise<string> {
  return (await readText(root, 'model.py')).replace('N_LAYER = 4', 'N_LAYER = 8');
}

describe('whole files', () => {
  it.each(['model.py', '### model.py', 'File: model.py', '**model.py**', '`model.py`:'])(
    'replaces a small file labelled %s',
    async (label) => {
      const root = await makeTree();
      const content = await newModel(root);
      const summary = await applyEdit(
        root,
        `Here is the new model.\n\n${label}\n\`\`\`python\n${content}\`\`\`\n`,
        POLICY,
      );
      expect(summary).toMatchObject({ format: 'whole-file', filesChanged: ['model.py'], added: 1, removed: 1 });
      expect(await readText(root, 'model.py')).toBe(content);
    },
  );

  it('reads the path from the fence info string', () => {
    const parsed = parseEdit('```python model.py\nx = 1\n```\n');
    expect(parsed).toEqual({
      format: 'whole-file',
      operations: [{ kind: 'write', path: 'model.py', content: 'x = 1\n' }],
    });
  });

  it('creates a new file, and ignores unlabelled code blocks', async () => {
    const root = await makeTree();
    await applyEdit(
      root,
      'Run it with:\n```bash\npython train.py\n```\n\nutils/data.py\n```python\nDATA = []\n```\n',
      POLICY,
    );
    expect(await readText(root, 'utils/data.py')).toBe('DATA = []\n');
  });

  it(`refuses to replace a file over ${WHOLE_FILE_MAX_LINES} lines`, async () => {
    const root = await makeTree();
    const big =
      Array.from({ length: WHOLE_FILE_MAX_LINES + 1 }, (_, index) => `X${index} = ${index}`).join('\n') + '\n';
    await writeFile(join(root, 'model.py'), big);
    const before = await hashTree(root);
    const error = await expectRefusal(
      () => applyEdit(root, `model.py\n\`\`\`python\n${big.replace('X0 = 0', 'X0 = 1')}\`\`\`\n`, POLICY),
      'too_large',
    );
    expect(error.message).toContain('diff or SEARCH/REPLACE');
    expect(await hashTree(root)).toBe(before);
  });

  it('refuses a whole file with an elision comment', async () => {
    const root = await makeTree();
    const error = await expectRefusal(
      () =>
        applyEdit(
          root,
          'train.py\n```python\nLEARNING_RATE = 1e-3\n# ... rest of the code unchanged ...\n```\n',
          POLICY,
        ),
      'truncated',
    );
    expect(error.message).toContain('complete file');
  });

  it('refuses a fragment much shorter than the file it replaces', async () => {
    const root = await makeTree();
    await expectRefusal(
      () => applyEdit(root, 'train.py\n```python\nLEARNING_RATE = 1e-3\nBATCH_SIZE = 32\n```\n', POLICY),
      'truncated',
    );
  });

  it('refuses an identical whole file as a no-op', async () => {
    const root = await makeTree();
    await expectRefusal(
      async () => applyEdit(root, `model.py\n\`\`\`python\n${await readText(root, 'model.py')}\`\`\`\n`, POLICY),
      'no_op',
    );
  });
});
