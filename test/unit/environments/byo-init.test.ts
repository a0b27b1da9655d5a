// env init's pieces: command strings, inferred knobs, the log-pattern check, asking in a terminal, the autoresearch preset.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { checkLogPattern } from '../../../src/environments/init/log-pattern.js';
import { inferKnobs } from '../../../src/environments/init/knobs.js';
import { commandArgv, commandText, nameFromFolder } from '../../../src/environments/init/options.js';
import { autoresearchPreset } from '../../../src/environments/init/preset.js';
import type { RepoInfo } from '../../../src/environments/init/repo.js';
import { resolveInit } from '../../../src/environments/init/resolve.js';
import { tempDir } from '../../helpers/temp-dir.js';

const repo = (files: string[], path = '/repo/my-model'): RepoInfo => ({
  path,
  git: true,
  subdir: '',
  files,
  skipped: [],
  dirty: [],
});

describe('commandArgv', () => {
  it('splits plain commands with quotes, and hands shell syntax to /bin/sh', () => {
    expect(commandArgv('python train.py --lr 0.1', '--command')).toEqual(['python', 'train.py', '--lr', '0.1']);
    expect(commandArgv(`python -c "print('a b')"`, '--command')).toEqual(['python', '-c', "print('a b')"]);
    expect(commandArgv('python train.py > log.txt', '--command')).toEqual([
      '/bin/sh',
      '-c',
      'python train.py > log.txt',
    ]);
    expect(commandArgv('CUDA_VISIBLE_DEVICES=0 python t.py', '--command')[0]).toBe('/bin/sh');
    expect(() => commandArgv('python "train.py', '--command')).toThrow(/unbalanced quote/);
    expect(commandText(['{python}', 'train.py', 'a b'])).toBe("{python} train.py 'a b'");
  });

  it('makes environment names of folder names', () => {
    expect(nameFromFolder('My_Model v2')).toBe('my-model-v2');
    expect(nameFromFolder('_x')).toBe('x');
    expect(nameFromFolder('---')).toBe('env-repo');
  });
});

describe('inferKnobs', () => {
  it('takes top-level numeric constants assigned once, with ranges around them', () => {
    const knobs = inferKnobs({
      'train.py':
        'LEARNING_RATE = 0.04  # Muon step size\nDEPTH = 8\nSEED = 42\nBETA2 = 0.95\nTOTAL = 2**19\nX = 1\nX = 2\nname = 3\n',
      'notes.md': 'A = 1\n',
    });
    expect(Object.keys(knobs)).toEqual(['learning_rate', 'depth', 'beta2']);
    expect(knobs.learning_rate).toMatchObject({
      type: 'float',
      default: 0.04,
      min: 0.01,
      max: 0.16,
      scale: 'log',
      description: 'Muon step size',
    });
    expect(knobs.depth).toMatchObject({ type: 'int', default: 8, min: 4, max: 16 });
    expect(knobs.beta2?.max).toBeLessThan(1);
  });
});

describe('checkLogPattern', () => {
  const code = [{ path: 'train.py', text: 'print(f"step {i} | val_loss {loss:.4f}")\nprint("accuracy:", acc)\n' }];

  it('accepts a pattern matching a line the code prints, with a number in its group', () => {
    expect(checkLogPattern(String.raw`val_loss (\d+\.\d+)`, undefined, code)).toMatch(/from train\.py/);
    expect(checkLogPattern(String.raw`^accuracy:\s*([0-9.]+)`, undefined, code)).toMatch(
      /accuracy: 1\.234567|accuracy: 12/,
    );
    expect(checkLogPattern(String.raw`^val_bpb:\s*(?P<v>[0-9.]+)`, 'val_bpb', [])).toMatch(/val_bpb: /);
  });

  it('refuses a pattern nothing printed can match, and JavaScript-only syntax', () => {
    expect(() => checkLogPattern(String.raw`^val_los:\s*([0-9.]+)`, undefined, code)).toThrow(/never matches a number/);
    expect(() => checkLogPattern(String.raw`val_loss (?<v>\d+)`, undefined, code)).toThrow(/\(\?P<name>…\)/);
    expect(() =>
      checkLogPattern(String.raw`step (\w+)`, undefined, [{ path: 'train.py', text: 'print("step done")' }]),
    ).toThrow(/never matches/);
  });
});

describe('resolveInit', () => {
  it('infers the command, editable file, metric name and direction it can', async () => {
    const resolved = await resolveInit(
      { path: '/repo', metricFromLog: String.raw`^val_loss:\s*(\S+)` },
      repo(['train.py', 'prepare.py']),
      {},
    );
    expect(resolved).toMatchObject({
      name: 'my-model',
      command: ['{python}', 'train.py'],
      editable: ['train.py'],
      metric: 'val_loss',
      direction: 'min',
      metricFrom: 'log',
      timeLimit: 3600,
      gpus: 0,
    });
  });

  it('asks in a terminal for what it cannot tell', async () => {
    const questions: string[] = [];
    const answers = ['make train', 'main.py, model/*.py', 'quality', 'evaluate', 'python3 eval.py', 'max'];
    const resolved = await resolveInit(
      { path: '/repo' },
      repo(['main.py', 'model/net.py', 'eval.py']),
      {},
      async (question) => {
        questions.push(question);
        return answers.shift() ?? '';
      },
    );
    expect(questions).toHaveLength(6);
    expect(resolved).toMatchObject({
      command: ['make', 'train'],
      editable: ['main.py', 'model/*.py'],
      metric: 'quality',
      metricFrom: 'evaluate',
      evaluate: ['python3', 'eval.py'],
      direction: 'max',
    });
  });

  it('without a terminal, names every missing flag at once', async () => {
    await expect(resolveInit({ path: '/repo' }, repo(['main.py']), {})).rejects.toThrow(
      /--command .*\n.*--editable GLOB\n.*--metric NAME\n.*--metric-from-log/s,
    );
  });
});

describe('--preset autoresearch', () => {
  async function layout(): Promise<RepoInfo> {
    const dir = await tempDir();
    await writeFile(join(dir, 'prepare.py'), 'MAX_SEQ_LEN = 2048\nTIME_BUDGET = 300\n');
    await writeFile(join(dir, 'train.py'), 'DEPTH = 8\n');
    return repo(['prepare.py', 'train.py', 'pyproject.toml', 'uv.lock'], dir);
  }

  it('uses uv when it is on the PATH, else the project Python', async () => {
    const info = await layout();
    const bin = await tempDir();
    await writeFile(join(bin, 'uv'), '#!/bin/sh\n');
    await chmod(join(bin, 'uv'), 0o755);
    const withUv = await autoresearchPreset(info, { PATH: bin });
    expect(withUv.command).toEqual(['uv', 'run', '--no-sync', 'train.py']);
    expect(withUv.options).toMatchObject({
      editable: ['train.py'],
      metric: 'val_bpb',
      direction: 'min',
      timeLimit: 600,
      gpus: 1,
    });
    expect(withUv.frozen).toEqual(['prepare.py', 'pyproject.toml', 'uv.lock']);
    expect((await autoresearchPreset(info, { PATH: '/nonexistent' })).command).toEqual(['{python}', 'train.py']);
    await mkdir(join(info.path, '.venv', 'bin'), { recursive: true });
    await writeFile(join(info.path, '.venv', 'bin', 'python'), '#!/bin/sh\n');
    await chmod(join(info.path, '.venv', 'bin', 'python'), 0o755);
    expect((await autoresearchPreset(info, { PATH: '/nonexistent' })).command).toEqual([
      join(info.path, '.venv/bin/python'),
      'train.py',
    ]);
    expect((await autoresearchPreset(info, { PATH: bin })).options.data).toContain('.venv');
  });

  it('refuses a repository without autoresearch’s layout', async () => {
    await expect(autoresearchPreset(repo(['main.py']), {})).rejects.toThrow(/has no train\.py or prepare\.py/);
  });
});
