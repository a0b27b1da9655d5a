#!/usr/bin/env node
// groundwork's command line: dispatch to a command. The only module that exits the process.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { applyEditCommand } from './cli/apply-edit.js';
import type { Command, CommandIo } from './cli/command.js';
import { GLOBAL_USAGE } from './cli/command.js';
import { demoCommand } from './cli/demo.js';
import { envCommand } from './cli/env.js';
import { exportCommand } from './cli/export.js';
import { runCommand } from './cli/run.js';
import { rlCommand } from './cli/rl.js';
import { searchCommand } from './cli/search.js';
import { serveCommand } from './cli/serve.js';
import { statusCommand } from './cli/status.js';
import { stdioCommand } from './cli/stdio.js';
import { ResearchError } from './domain/errors.js';

export const commands: Command[] = [
  demoCommand,
  applyEditCommand,
  envCommand,
  runCommand,
  exportCommand,
  searchCommand,
  statusCommand,
  serveCommand,
  stdioCommand,
  rlCommand,
];

function mainUsage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `groundwork — execution-grounded automated AI research

Usage: groundwork <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run "groundwork <command> --help" for a command's options.
${GLOBAL_USAGE}`;
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainUsage());
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`groundwork: unknown command "${name}"\n\n${mainUsage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (ResearchError.is(error)) {
      io.stderr(`groundwork ${name}: ${error.message} [${error.code}]`);
      return error.code === 'bad_input' ? 2 : 1;
    }
    io.stderr(
      `groundwork ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}

function isEntryPoint(): boolean {
  try {
    return (
      process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: CommandIo = {
    stdout: (text) => process.stdout.write(text + '\n'),
    stderr: (text) => process.stderr.write(text + '\n'),
    env: process.env,
  };
  main(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`groundwork: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
