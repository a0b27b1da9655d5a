// `--preset autoresearch`: karpathy/autoresearch's layout (train.py edited, prepare.py frozen, val_bpb from the log).
import { access, constants, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

import { ResearchError } from '../../domain/errors.js';
import type { InitOptions } from './options.js';
import type { RepoInfo } from './repo.js';

/** Seconds allowed beyond the training budget: start-up, compilation and the final evaluation (autoresearch kills at 10 min). */
export const AUTORESEARCH_MARGIN_SEC = 300;
export const AUTORESEARCH_PATTERN = String.raw`^val_bpb:\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)`;

async function onPath(program: string, path: string | undefined): Promise<boolean> {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    if (
      await access(join(dir, program), constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

export interface PresetResult {
  /** Option values the preset supplies; flags the user gave win over them. */
  options: Partial<InitOptions>;
  /** argv of the training command, when the preset picks it. */
  command: string[];
  /** Extra files to freeze (tracked launch files). */
  frozen: string[];
  notes: string[];
}

export async function autoresearchPreset(repo: RepoInfo, env: { PATH?: string }): Promise<PresetResult> {
  const missing = ['train.py', 'prepare.py'].filter((file) => !repo.files.includes(file));
  if (missing.length > 0) {
    throw new ResearchError(
      'bad_input',
      `--preset autoresearch expects karpathy/autoresearch's layout, but ${repo.path} has no ${missing.join(' or ')}${repo.git ? ' among its tracked files' : ''}`,
    );
  }
  const prepare = await readFile(join(repo.path, 'prepare.py'), 'utf8');
  const budget = Number(/^TIME_BUDGET\s*=\s*(\d+)/m.exec(prepare)?.[1] ?? 300);
  const notes = [
    `time limit: TIME_BUDGET ${budget} s from prepare.py + ${AUTORESEARCH_MARGIN_SEC} s for start-up and evaluation`,
  ];
  let command: string[];
  const venvPython = join(repo.path, '.venv', 'bin', 'python');
  const hasVenv = await access(venvPython, constants.X_OK).then(
    () => true,
    () => false,
  );
  const data: string[] = [];
  if (await onPath('uv', env.PATH)) {
    // Jobs have no network and get the project's .venv read-only, so uv must use it as it is.
    command = ['uv', 'run', '--no-sync', 'train.py'];
    if (hasVenv) data.push('.venv');
    else notes.push('no .venv in the repository: run `uv sync` there first, or uv will have nothing to run with');
  } else {
    command = hasVenv ? [venvPython, 'train.py'] : ['{python}', 'train.py'];
  }
  const cache = join(homedir(), '.cache', 'autoresearch');
  if (
    await access(cache).then(
      () => true,
      () => false,
    )
  )
    data.push('~/.cache/autoresearch');
  else notes.push(`${cache} does not exist yet: run \`uv run prepare.py\` in the repository before the first run`);
  return {
    options: {
      editable: ['train.py'],
      metric: 'val_bpb',
      direction: 'min',
      metricFromLog: AUTORESEARCH_PATTERN,
      timeLimit: budget + AUTORESEARCH_MARGIN_SEC,
      gpus: 1,
      data,
    },
    command,
    frozen: ['prepare.py', ...['pyproject.toml', 'uv.lock', 'program.md'].filter((file) => repo.files.includes(file))],
    notes,
  };
}
