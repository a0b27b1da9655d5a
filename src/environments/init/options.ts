// What `env init` and `add_environment` take, and turning a command line written as one string into argv.
import { ResearchError } from '../../domain/errors.js';

export const PRESETS = ['autoresearch'] as const;
export type Preset = (typeof PRESETS)[number];

/** The options of `groundwork env init` (and of the `add_environment` tool), before defaults are filled in. */
export interface InitOptions {
  /** The repository (folder) holding the training code. */
  path: string;
  name?: string;
  /** Training command, as the user would type it (`python train.py --epochs 3`). */
  command?: string;
  editable?: string[];
  frozen?: string[];
  /** Large data, linked read-only into each run: paths or globs relative to the repository, or `~/…`, or absolute. */
  data?: string[];
  metric?: string;
  direction?: 'min' | 'max';
  /** Read the metric from the training log: the last match of this pattern (self-reported). */
  metricFromLog?: string;
  /** The user's own evaluation command, run as the separate frozen step after training. */
  evaluate?: string;
  timeLimit?: number;
  gpus?: number;
  preset?: Preset;
  /** An autoresearch `results.tsv` to import as history. */
  importResults?: string;
}

/** Asks the user for a missing value in a terminal; absent when nobody can be asked. */
export type Ask = (question: string) => Promise<string>;

const SHELL_SYNTAX = /[|&;<>()$`*?~!#]|^\s*[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * argv for a command typed as one string: split on blanks with '…' and "…" quoting, or run through `/bin/sh -c` when it
 * uses shell syntax (pipes, redirections, variables, globs, leading VAR=value).
 */
export function commandArgv(text: string, flag: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '')
    throw new ResearchError('bad_input', `${flag} is empty; give the command to run, e.g. "python train.py"`);
  const unquoted = trimmed.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '');
  if (SHELL_SYNTAX.test(unquoted)) return ['/bin/sh', '-c', trimmed];
  const argv: string[] = [];
  const token = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\\.|[^\s'"\\]+)|(\s+)/g;
  let current: string | undefined;
  let consumed = 0;
  for (const match of trimmed.matchAll(token)) {
    consumed += match[0].length;
    if (match[4] !== undefined) {
      if (current !== undefined) argv.push(current);
      current = undefined;
      continue;
    }
    const piece = match[1] ?? match[2]?.replace(/\\(.)/g, '$1') ?? (match[3] as string).replace(/\\(.)/g, '$1');
    current = (current ?? '') + piece;
  }
  if (current !== undefined) argv.push(current);
  if (consumed !== trimmed.length) {
    throw new ResearchError('bad_input', `${flag} "${text}" has an unbalanced quote`);
  }
  return argv;
}

/** A command as the user would read it again. */
export function commandText(argv: readonly string[]): string {
  if (argv[0] === '/bin/sh' && argv[1] === '-c' && argv.length === 3) return argv[2] as string;
  return argv.map((part) => (/^[\w@%+=:,./{}-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** An environment name from a folder name: lowercase letters, digits and dashes. */
export function nameFromFolder(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-{2,}/g, '-');
  return /^[a-z0-9]/.test(name) ? name : `env-${name || 'repo'}`;
}
