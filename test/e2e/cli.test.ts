// The built CLI, spawned as a user runs it: help, apply-edit, env list, status, and the bad-input paths.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { tempDir } from '../helpers/temp-dir.js';
import { CLI, runCli } from '../helpers/run-cli.js';
import { FIXTURE_ENVIRONMENTS } from '../helpers/test-server.js';

const isRoot = process.getuid?.() === 0;

async function tree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

async function hashOf(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

describe('groundwork CLI', () => {
  it('prints help for the program and for every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['demo', 'apply-edit', 'env', 'status']) {
      expect(top.stdout).toContain(command);
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: groundwork ${command}`));
    }
  });

  it('rejects an unknown command or option with usage and exit 2', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const badOption = await runCli(['demo', '--epochz', '3']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/--epochz/);
  });

  describe('apply-edit', () => {
    it('applies an edit and prints a JSON summary', async () => {
      const dir = await tempDir();
      await tree(dir, { 'train.py': 'LR = 1\nSTEPS = 10\n' });
      const edit = join(await tempDir(), 'edit.diff');
      await writeFile(
        edit,
        '```diff\n--- a/train.py\n+++ b/train.py\n@@ -1,2 +1,2 @@\n-LR = 1\n+LR = 2\n STEPS = 10\n```\n',
      );
      const result = await runCli(['apply-edit', dir, edit]);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as { format: string; filesChanged: string[] };
      expect(summary).toMatchObject({ format: 'unified-diff', filesChanged: ['train.py'] });
      expect(await readFile(join(dir, 'train.py'), 'utf8')).toBe('LR = 2\nSTEPS = 10\n');
    });

    it('refuses an edit to a frozen file, leaving the directory untouched', async () => {
      const dir = await tempDir();
      await tree(dir, { 'train.py': 'LR = 1\n', 'harness/evaluate.py': 'SCORE = 1\n' });
      const before = await hashOf(join(dir, 'harness/evaluate.py'));
      const edit = join(await tempDir(), 'edit.txt');
      await writeFile(
        edit,
        'train.py\n<<<<<<< SEARCH\nLR = 1\n=======\nLR = 3\n>>>>>>> REPLACE\n\nharness/evaluate.py\n<<<<<<< SEARCH\nSCORE = 1\n=======\nSCORE = 100\n>>>>>>> REPLACE\n',
      );
      const result = await runCli(['apply-edit', dir, edit, '--frozen', 'harness/**']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/harness\/evaluate\.py/);
      expect(result.stderr).toMatch(/frozen/);
      expect(await hashOf(join(dir, 'harness/evaluate.py'))).toBe(before);
      expect(await readFile(join(dir, 'train.py'), 'utf8')).toBe('LR = 1\n');
    });

    it('reads the edit from standard input with "-"', async () => {
      const dir = await tempDir();
      await tree(dir, { 'a.py': 'x = 1\n' });
      const result = await runCli(['apply-edit', dir, '-'], {
        input: 'a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n',
      });
      expect(result.code).toBe(0);
      expect(await readFile(join(dir, 'a.py'), 'utf8')).toBe('x = 2\n');
    });

    it('says what is missing when arguments or files are wrong', async () => {
      expect((await runCli(['apply-edit'])).code).toBe(2);
      const missing = await runCli(['apply-edit', await tempDir(), '/nonexistent/edit.diff']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot read edit file/);
    });
  });

  it('lists environments, with invalid ones named', async () => {
    const extra = await tempDir();
    await tree(extra, { 'broken/environment.json': '{"name": "broken", "schemaVersion": 1}' });
    const result = await runCli(['env', 'list'], {
      env: { GROUNDWORK_ENVIRONMENTS: `${FIXTURE_ENVIRONMENTS}:${extra}`, GROUNDWORK_HOME: await tempDir() },
    });
    expect(result.stdout).toMatch(/toy\s+loss \(min\)/);
    expect(result.stderr).toMatch(/broken\/environment\.json is invalid/);
    expect(result.stderr).toMatch(/description/);
    expect(result.code).toBe(1);
  });

  it('shows status of an empty data directory', async () => {
    const home = await tempDir();
    const result = await runCli(['status', '--home', home]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`data directory: ${home}`);
    expect(result.stdout).toMatch(/experiments: 0/);
  });

  it('stops with the file named when a store file is corrupt, and never overwrites it', async () => {
    const home = await tempDir();
    expect((await runCli(['status', '--home', home])).code).toBe(0);
    const segment = join(home, 'store', 'experiments', '000000.json');
    await mkdir(join(segment, '..'), { recursive: true });
    await writeFile(segment, '{"schemaVersion": 1, "collection": "experiments", "records": [');
    const before = await hashOf(segment);
    const result = await runCli(['status', '--home', home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(segment);
    expect(await hashOf(segment)).toBe(before);
  });

  it('tells a second process that the data directory is in use, naming the owner', async () => {
    const home = await tempDir();
    const holder = spawn(
      process.execPath,
      [CLI, 'demo', '--environment', 'toy', '--epochs', '50', '--batch-size', '1', '--home', home],
      {
        env: {
          PATH: process.env.PATH,
          GROUNDWORK_ENVIRONMENTS: FIXTURE_ENVIRONMENTS,
          GROUNDWORK_PYTHON: '/usr/bin/python3',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      await new Promise<void>((ready) =>
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && ready()),
      );
      // A second writer is refused, naming the owner. (`status` only reads: it answers while the demo runs.)
      const second = await runCli(['env', 'check', 'toy', '--home', home], {
        env: { GROUNDWORK_ENVIRONMENTS: FIXTURE_ENVIRONMENTS },
      });
      expect((await runCli(['status', '--home', home])).code).toBe(0);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`in use by process ${holder.pid}`));
      expect(second.stderr).toMatch(/GROUNDWORK_HOME/);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((done) => holder.once('exit', done));
    }
    // The dead holder's lock does not keep the directory stuck.
    const after = await runCli(['status', '--home', home]);
    expect(after.code).toBe(0);
  });

  it.skipIf(!isRoot && process.getuid?.() === undefined)(
    'says a read-only data directory cannot be written',
    async () => {
      const parent = await tempDir();
      await chmod(parent, 0o755);
      const home = join(parent, 'home');
      await mkdir(home);
      await chmod(home, 0o555);
      const result = await runCli(['status', '--home', home], isRoot ? { uid: 65534, gid: 65534 } : {});
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/cannot write to/);
      expect(result.stderr).toContain(home);
    },
  );

  it('explains how to get Python when the interpreter or its modules are missing', async () => {
    const result = await runCli(['demo', '--home', await tempDir()], {
      env: { GROUNDWORK_PYTHON: '/nonexistent/python3' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no usable Python found/);
    expect(result.stderr).toMatch(/apt-get install python3-torch python3-numpy/);
    expect(result.stderr).toMatch(/GROUNDWORK_PYTHON/);
  });

  it('names the known environments when asked for an unknown one', async () => {
    const result = await runCli(['demo', '--environment', 'gpt-9', '--home', await tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown environment "gpt-9"; known: .*tiny-lm/);
  });
});

describe('model flags', () => {
  it('take precedence over the environment and are validated', async () => {
    const result = await runCli(['stdio', '--provider', 'nonsense', '--home', await tempDir()], {
      env: { GROUNDWORK_PROVIDER: 'offline' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/llm\.provider/);
    const help = await runCli(['serve', '--help']);
    expect(help.stdout).toMatch(/--implementer-model NAME/);
  });
});
