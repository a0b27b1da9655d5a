// `groundwork rl …`: RL on the ideator from execution reward (simulate, start, resume, status, advance, list).
import { ResearchError } from '../domain/errors.js';
import type { Command, CommandIo } from './command.js';
import { rlRunCommand } from './rl-run.js';
import { rlSimulate } from './rl-simulate.js';
import { rlAdvance, rlList, rlStatus } from './rl-status.js';
import { RL_USAGE } from './rl-usage.js';

const SUBCOMMANDS: Record<string, (argv: string[], io: CommandIo) => Promise<number>> = {
  simulate: rlSimulate,
  start: (argv, io) => rlRunCommand('start', argv, io),
  resume: (argv, io) => rlRunCommand('resume', argv, io),
  status: rlStatus,
  advance: rlAdvance,
  list: rlList,
};

export const rlCommand: Command = {
  name: 'rl',
  summary: 'RL on the ideator from execution reward (rl simulate | start | resume | status | advance | list)',
  usage: RL_USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout(RL_USAGE);
      return sub === undefined ? 2 : 0;
    }
    const run = SUBCOMMANDS[sub];
    if (!run) {
      throw new ResearchError(
        'bad_input',
        `unknown rl subcommand "${sub}"; valid: ${Object.keys(SUBCOMMANDS).join(', ')}\n\n${RL_USAGE}`,
      );
    }
    return run(rest, io);
  },
};
