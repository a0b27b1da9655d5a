import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { checkPythonSyntax } from '../../../src/edits/index.js';
import { cleanTrees, makeTree } from './edit-tree.js';

afterEach(cleanTrees);

const PYTHON = '/usr/bin/python3';

async function allPaths(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    out.push(`${prefix}${entry.name}`);
    if (entry.isDirectory()) out.push(...(await allPaths(join(dir, entry.name), `${prefix}${entry.name}/`)));
  }
  return out;
}

describe.skipIf(!existsSync(PYTHON))('checkPythonSyntax', () => {
  it('passes valid files and reports a SyntaxError with its line, writing no bytecode', async () => {
    const root = await makeTree();
    await writeFile(join(root, 'broken.py'), 'import math\n\n\ndef f(x:\n    return x\n');
    const errors = await checkPythonSyntax(
      root,
      ['train.py', 'model.py', 'harness/evaluate.py', 'broken.py', 'notes.txt'],
      PYTHON,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'broken.py', line: 4 });
    expect(errors[0]?.error).toMatch(/^SyntaxError at line 4/);
    expect((await allPaths(root)).filter((path) => path.includes('__pycache__') || path.endsWith('.pyc'))).toEqual([]);
  });

  it('reports indentation errors', async () => {
    const root = await makeTree();
    await writeFile(join(root, 'indent.py'), 'def f():\nreturn 1\n');
    const errors = await checkPythonSyntax(root, ['indent.py'], PYTHON);
    expect(errors[0]).toMatchObject({ file: 'indent.py', line: 2 });
    expect(errors[0]?.error).toContain('IndentationError');
  });

  it('returns nothing without running Python when no .py file changed', async () => {
    expect(await checkPythonSyntax('/nonexistent', ['README.md'], '/no/such/python')).toEqual([]);
  });
});

describe('checkPythonSyntax without Python', () => {
  it('says Python is missing', async () => {
    const root = await makeTree();
    const error = await checkPythonSyntax(root, ['train.py'], '/no/such/python3').catch((caught: unknown) => caught);
    expect(ResearchError.is(error, 'python_missing')).toBe(true);
  });
});
