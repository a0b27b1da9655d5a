// What every CLI command looks like: a name, help text, and a run function that returns an exit code.
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { ResearchError } from '../domain/errors.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}

export const GLOBAL_OPTIONS = {
  home: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const GLOBAL_USAGE = `Global options:
  --home DIR      data directory (default: $GROUNDWORK_HOME or ~/.groundwork)
  --config FILE   JSON config file (default: $GROUNDWORK_CONFIG or <home>/config.json)
  -h, --help      show help for the command`;

/** parseArgs with the global options, turning its errors into actionable bad_input errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ResearchError('bad_input', `${(error as Error).message}\n\n${usage}`);
  }
}

export function toInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new ResearchError('bad_input', `--${name} must be a positive integer; got "${value}"`);
  return number;
}
