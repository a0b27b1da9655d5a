// `groundwork search start|list|status|resume|cancel|report`: forwarded to the daemon for the data directory when one
// runs; otherwise start and resume drive the search here, in the foreground, and Ctrl-C leaves it paused.
import { loadConfig } from '../config/load-config.js';
import { LLM_FLAGS, LLM_FLAGS_USAGE, llmFlagOverrides } from '../config/llm-flags.js';
import { ResearchError } from '../domain/errors.js';
import type { Search } from '../domain/records.js';
import { isEnded } from '../domain/states.js';
import { type DaemonInfo, findDaemon } from '../http/daemon-file.js';
import { callDaemonTool } from '../mcp/daemon-client.js';
import type { SearchStatusView } from '../services/search-report.js';
import { type Command, type CommandIo, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { withServer } from './open-server.js';
import { listSearchesCommand, searchReportCommand, searchStatusCommand } from './search-read.js';

const usage = `Usage:
  groundwork search start --environment E [--strategy S] [--epochs K] [--batch-size B] [--profile P]
      [--mode steady|epochs] [--control best-of-n] [--max-ideas N] [--budget-usd X] [--budget-gpu-hours H]
      [--budget-hours H] [--certify-seeds N] [--seed N] [--detach] [--json]
  groundwork search list [--json]
  groundwork search status <id> [--json]
  groundwork search report <id> [--json]
  groundwork search resume <id> [--detach] [--json]
  groundwork search cancel <id> [--json]

With a daemon ("groundwork serve") for the data directory, every subcommand goes to it, and --detach returns at
once. Without one, start and resume run the search here with progress lines; Ctrl-C pauses it (state "paused")
and "groundwork search resume <id>" carries on: finished experiments are kept and no candidate runs twice.
list, status and report also answer while another process owns the data directory.
${LLM_FLAGS_USAGE}
${GLOBAL_USAGE}`;

const FLAGS = {
  json: { type: 'boolean' },
  detach: { type: 'boolean' },
  environment: { type: 'string' },
  strategy: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  profile: { type: 'string' },
  mode: { type: 'string' },
  control: { type: 'string' },
  'max-ideas': { type: 'string' },
  'budget-usd': { type: 'string' },
  'budget-gpu-hours': { type: 'string' },
  'budget-hours': { type: 'string' },
  'certify-seeds': { type: 'string' },
  seed: { type: 'string' },
  ...LLM_FLAGS,
} as const;

type Values = Partial<Record<Exclude<keyof typeof FLAGS, 'json' | 'detach'>, string>> & {
  json?: boolean;
  detach?: boolean;
  home?: string;
  config?: string;
};

const number = (value: string | undefined, name: string, integer = true): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || (integer && !Number.isInteger(parsed))) {
    throw new ResearchError(
      'bad_input',
      `--${name} must be a ${integer ? 'non-negative integer' : 'positive number'}; got "${value}"`,
    );
  }
  return parsed;
};

/** run_search's arguments from the flags (the same names the MCP tool takes). */
function toolArguments(values: Values): Record<string, unknown> {
  if (!values.environment) throw new ResearchError('bad_input', `search start needs --environment\n\n${usage}`);
  const args: Record<string, unknown> = {
    environment: values.environment,
    strategy: values.strategy,
    epochs: number(values.epochs, 'epochs'),
    batch_size: number(values['batch-size'], 'batch-size'),
    profile: values.profile,
    seed: number(values.seed, 'seed'),
    mode: values.mode,
    control: values.control,
    certify_seeds: number(values['certify-seeds'], 'certify-seeds'),
    max_ideas: number(values['max-ideas'], 'max-ideas'),
    budget_usd: number(values['budget-usd'], 'budget-usd', false),
    budget_gpu_hours: number(values['budget-gpu-hours'], 'budget-gpu-hours', false),
    budget_hours: number(values['budget-hours'], 'budget-hours', false),
  };
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
}

const printSearch = (io: CommandIo, values: Values, search: { id: string; state: string }, note: string): void =>
  io.stdout(
    values.json ? JSON.stringify({ id: search.id, state: search.state }) : `search ${search.id} ${search.state}${note}`,
  );

/** Foreground: drive the search here, printing a line as each experiment ends, until it ends or Ctrl-C pauses it. */
async function foreground(values: Values, io: CommandIo, begin: 'start' | string): Promise<number> {
  if (values.detach) {
    throw new ResearchError(
      'bad_input',
      '--detach needs a running daemon for the data directory; start "groundwork serve"',
    );
  }
  let searchId: string | undefined;
  const code = await withServer(
    values,
    io.env,
    async (server) => {
      const { services } = server;
      let search: Search;
      if (begin === 'start') {
        const args = toolArguments(values);
        const option = (key: string, name: string): Record<string, unknown> =>
          args[key] === undefined ? {} : { [name]: args[key] };
        search = await services.startSearch({
          environment: args.environment as string,
          strategy: args.strategy as string | undefined,
          settings: { epochs: args.epochs as number | undefined, batchSize: args.batch_size as number | undefined },
          options: {
            ...option('mode', 'mode'),
            ...option('control', 'control'),
            ...option('certify_seeds', 'certifySeeds'),
            ...option('max_ideas', 'maxIdeas'),
            ...option('budget_usd', 'budgetUsd'),
            ...option('budget_gpu_hours', 'budgetGpuHours'),
            ...option('budget_hours', 'budgetHours'),
          },
          profile: args.profile as string | undefined,
          seed: args.seed as number | undefined,
        });
      } else search = await services.resumeSearch(begin);
      searchId = search.id;
      if (!values.json)
        io.stderr(`search ${search.id} running (Ctrl-C pauses it; "groundwork search resume ${search.id}" carries on)`);
      const stop = services.onExperimentUpdate((experiment) => {
        if (experiment.searchId !== search.id || !isEnded(experiment) || values.json) return;
        const metric = experiment.result
          ? ` ${experiment.result.metric.name}=${experiment.result.metric.value.toFixed(4)}`
          : '';
        io.stderr(`  ${experiment.role ?? 'candidate'} ${experiment.id} ${experiment.state}${metric}`);
      });
      const ended = await services.waitForSearch(search.id).finally(stop);
      printSearch(io, values, ended, ended.stopped ? ` (${ended.stopped.message})` : '');
      return ended.state === 'succeeded' ? 0 : 1;
    },
    {},
    { llm: llmFlagOverrides(values) },
  );
  if (code === 130 && searchId)
    io.stderr(`search ${searchId} paused; resume it with "groundwork search resume ${searchId}"`);
  return code;
}

async function viaDaemon(
  daemon: DaemonInfo,
  sub: string,
  id: string | undefined,
  values: Values,
  io: CommandIo,
): Promise<number> {
  const tool = sub === 'start' ? 'run_search' : sub === 'resume' ? 'resume_search' : 'cancel_search';
  const output = (await callDaemonTool(daemon, tool, sub === 'start' ? toolArguments(values) : { search_id: id })) as {
    search_id: string;
    status: string;
  };
  printSearch(io, values, { id: output.search_id, state: output.status }, ` (daemon ${daemon.url})`);
  if (values.detach || sub === 'cancel') return 0;
  // Follow from here: the daemon drives it; Ctrl-C stops following only.
  for (;;) {
    const { status } = (await callDaemonTool(daemon, 'get_search_report', { search_id: output.search_id })) as {
      status: SearchStatusView;
    };
    if (!['running', 'paused'].includes(status.state)) {
      printSearch(io, values, status, '');
      return status.state === 'succeeded' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

export const searchCommand: Command = {
  name: 'search',
  summary: 'start, follow, resume, cancel and report searches',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, FLAGS, usage);
    const [sub, id] = positionals;
    if (values.help || !sub) {
      io.stdout(usage);
      return values.help ? 0 : 2;
    }
    const needsId = ['status', 'report', 'resume', 'cancel'].includes(sub);
    if (needsId && !id) throw new ResearchError('bad_input', `search ${sub} needs a search id\n\n${usage}`);
    if (!['start', 'list', ...(needsId ? [sub] : [])].includes(sub)) {
      throw new ResearchError('bad_input', `unknown search subcommand "${sub}"\n\n${usage}`);
    }
    const config = loadConfig({
      env: io.env,
      configFile: values.config,
      overrides: values.home ? { home: values.home } : {},
    });
    const daemon = await findDaemon(config.home);
    if (sub === 'list') return listSearchesCommand(values, io, daemon);
    if (sub === 'status') return searchStatusCommand(values, io, daemon, id as string);
    if (sub === 'report') return searchReportCommand(values, io, daemon, id as string);
    if (daemon) return viaDaemon(daemon, sub, id, values, io);
    if (sub === 'cancel') {
      return withServer(
        values,
        io.env,
        async ({ services }) => {
          const search = await services.cancelSearch(id as string);
          printSearch(io, values, search, '');
          return 0;
        },
        { dispatch: false },
      );
    }
    return foreground(values, io, sub === 'start' ? 'start' : (id as string));
  },
};
