// `groundwork apply-edit <dir> <edit-file> [--frozen <glob>]...`: the implementer's edit path, by hand.
import { readFile } from 'node:fs/promises';

import { ResearchError } from '../domain/errors.js';
import { applyEdit } from '../edits/index.js';
import { type Command, GLOBAL_USAGE, parseCommandArgs } from './command.js';

const usage = `Usage: groundwork apply-edit <dir> <edit-file> [--frozen <glob>]... [--editable <glob>]...

Applies an edit (unified diff, search/replace blocks, apply_patch envelope, or whole files) to <dir>,
all or nothing. Prints a JSON summary and exits 0, or prints the reason and exits 1 with <dir> untouched.
Use "-" as <edit-file> to read the edit from standard input.

Options:
  --frozen GLOB     files the edit may not touch (repeatable)
  --editable GLOB   if given, the only files the edit may touch (repeatable)
${GLOBAL_USAGE}`;

async function readInput(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const applyEditCommand: Command = {
  name: 'apply-edit',
  summary: 'apply an edit to a directory, all or nothing',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { frozen: { type: 'string', multiple: true }, editable: { type: 'string', multiple: true } },
      usage,
    );
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    const [dir, file] = positionals;
    if (!dir || !file || positionals.length > 2)
      throw new ResearchError('bad_input', `apply-edit needs exactly <dir> and <edit-file>\n\n${usage}`);
    let text: string;
    try {
      text = await readInput(file);
    } catch (error) {
      throw new ResearchError('bad_input', `cannot read edit file ${file}: ${(error as Error).message}`);
    }
    const summary = await applyEdit(dir, text, {
      frozen: values.frozen ?? [],
      ...(values.editable ? { editable: values.editable } : {}),
    });
    io.stdout(JSON.stringify(summary, null, 2));
    return 0;
  },
};
