// The Python unit tests of the sealed evaluation (frames, held-out files, windows, worker confinement):
// test/integrity/test_sealed_eval.py. Skipped, not passed, without Debian's python3 and NumPy.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

const hasNumpy = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import numpy']).status === 0;

describe.skipIf(!hasNumpy)('sealed evaluation, Python unit tests', () => {
  it('pass', () => {
    const result = spawnSync(
      '/usr/bin/python3',
      ['-m', 'unittest', 'discover', '-s', 'test/integrity', '-p', 'test_*.py'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
        timeout: 120_000,
      },
    );
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).toMatch(/^OK/m);
  });
});
