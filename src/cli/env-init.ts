// `groundwork env init PATH`: make an environment of an existing repository (asking in a terminal for what it cannot tell).
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';

import { environmentRoots } from '../config/environment-roots.js';
import { loadConfig } from '../config/load-config.js';
import { ResearchError } from '../domain/errors.js';
import type { CreatedEnvironment } from '../environments/init/create-environment.js';
import { type Ask, commandText, type InitOptions, PRESETS, type Preset } from '../environments/init/options.js';
import { createEnvironmentRegistry } from '../environments/registry.js';
import { createEnvironmentFrom } from '../services/add-environment.js';
import { readResultsTsv } from '../services/import-results.js';
import { type CommandIo, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { withServer } from './open-server.js';

export const ENV_INIT_USAGE = `Usage: groundwork env init PATH [--name N] [--command "…"] [--editable GLOB]… [--frozen GLOB]…
         [--data GLOB]… [--metric NAME] [--direction min|max] [--metric-from-log REGEX | --evaluate "…"]
         [--time-limit SEC] [--gpus N] [--preset autoresearch] [--import-results FILE] [--json]

Makes an environment of the training code in PATH, under <home>/environments/NAME. PATH itself is never
changed: each run gets a copy of its files (only the tracked ones in a git checkout), with --data linked
read-only instead of copied. In a terminal it asks for what it cannot tell; otherwise it says which flag is missing.

Options:
  --name N              environment name (default: the folder's name)
  --command "…"         training command, run in the copy (default: {python} train.py when there is a train.py)
  --editable GLOB       files an edit may change (default: the script the command runs); repeatable
  --frozen GLOB         files an edit may never change (their hashes are checked after training); repeatable
  --data GLOB           large data to link read-only, not copy: a path or glob in PATH, ~/…, or absolute; repeatable
  --metric NAME         the number to optimise, e.g. val_loss
  --direction min|max   whether lower or higher is better (guessed from the name: loss → min, accuracy → max)
  --metric-from-log RE  read the metric from the training log: the last match, first (…) group. The code being
                        edited prints it, so its results are marked self_reported
  --evaluate "…"        your own evaluation command, run after training as a separate frozen step; it writes
                        $GROUNDWORK_OUT/result.json or prints "<metric>: <number>"
  --time-limit SEC      training time limit per run (default 3600)
  --gpus N              GPUs per run (default 0)
  --preset autoresearch karpathy/autoresearch: train.py editable, prepare.py frozen, val_bpb (min) from the log,
                        TIME_BUDGET + 300 s, one GPU, uv run (or the project's .venv Python)
  --import-results FILE an autoresearch results.tsv to keep as history, so searches know what was tried
  --json                print JSON
${GLOBAL_USAGE}`;

const OPTIONS = {
  name: { type: 'string' },
  command: { type: 'string' },
  editable: { type: 'string', multiple: true },
  frozen: { type: 'string', multiple: true },
  data: { type: 'string', multiple: true },
  metric: { type: 'string' },
  direction: { type: 'string' },
  'metric-from-log': { type: 'string' },
  evaluate: { type: 'string' },
  'time-limit': { type: 'string' },
  gpus: { type: 'string' },
  preset: { type: 'string' },
  'import-results': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min)
    throw new ResearchError('bad_input', `${flag} must be an integer of at least ${min}; got "${value}"`);
  return number;
}

/** Asks on the terminal through one readline interface (typed-ahead answers are kept); undefined without a TTY. */
function terminalAsk(): (Ask & { close(): void }) | undefined {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  let rl: ReturnType<typeof createInterface> | undefined;
  let lines: AsyncIterator<string> | undefined;
  const ask = async (question: string): Promise<string> => {
    rl ??= createInterface({ input: process.stdin, output: process.stdout });
    lines ??= rl[Symbol.asyncIterator]();
    rl.setPrompt(question);
    rl.prompt();
    const next = await lines.next();
    return next.done ? '' : next.value;
  };
  return Object.assign(ask, { close: () => rl?.close() });
}

function report(created: CreatedEnvironment & { imported?: number }): string {
  const { manifest, dir } = created;
  const source = manifest.source;
  const data = source?.data.map((link) => (link.at === 'home' ? `~/${link.path}` : link.path)) ?? [];
  const lines = [
    `created environment ${manifest.name} at ${dir}`,
    `  from        ${source?.path}${source?.commit ? ` (git commit ${source.commit.slice(0, 12)}${source.branch ? ` on ${source.branch}` : ''}; tracked files only)` : ''}`,
    `  command     ${commandText(manifest.command)}`,
    `  editable    ${manifest.editable.join(', ')}`,
    `  frozen      ${manifest.frozen.join(', ')}`,
    ...(data.length > 0 ? [`  data        ${data.join(', ')} (linked read-only, not copied)`] : []),
    `  metric      ${manifest.metric.name} (${manifest.metric.direction}) ${source?.metricFrom === 'log' ? 'read from the training log: self_reported, since the code being edited prints it' : `from ${commandText(manifest.evaluate?.slice(3) ?? [])}, run after training`}`,
    `  resources   ${manifest.resources.gpus} GPU(s), ${manifest.resources.timeLimitSec} s per run`,
    ...created.notes.map((note) => `  note: ${note}`),
    ...created.warnings.map((warning) => `  warning: ${warning}`),
    ...(created.imported !== undefined ? [`  history     ${created.imported} result(s) imported`] : []),
    `Next: groundwork env baseline ${manifest.name} --seeds 0,1,2`,
  ];
  return lines.join('\n');
}

export async function runEnvInit(argv: string[], io: CommandIo, ask?: Ask): Promise<number> {
  const terminal = ask ? undefined : terminalAsk();
  try {
    return await initCommand(argv, io, ask ?? terminal);
  } finally {
    terminal?.close();
  }
}

async function initCommand(argv: string[], io: CommandIo, ask: Ask | undefined): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, ENV_INIT_USAGE);
  if (values.help) {
    io.stdout(ENV_INIT_USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new ResearchError(
      'bad_input',
      `env init takes one PATH, the folder of your training code\n\n${ENV_INIT_USAGE}`,
    );
  if (values.direction !== undefined && values.direction !== 'min' && values.direction !== 'max') {
    throw new ResearchError('bad_input', `--direction must be min or max; got "${values.direction}"`);
  }
  if (values.preset !== undefined && !PRESETS.includes(values.preset as Preset)) {
    throw new ResearchError('bad_input', `--preset must be one of ${PRESETS.join(', ')}; got "${values.preset}"`);
  }
  const options: InitOptions = {
    path: positionals[0] as string,
    name: values.name,
    command: values.command,
    editable: values.editable,
    frozen: values.frozen,
    data: values.data,
    metric: values.metric,
    direction: values.direction as 'min' | 'max' | undefined,
    metricFromLog: values['metric-from-log'],
    evaluate: values.evaluate,
    timeLimit: integer(values['time-limit'], '--time-limit', 1),
    gpus: integer(values.gpus, '--gpus', 0),
    preset: values.preset as Preset | undefined,
    importResults: values['import-results'],
  };
  const interactive = values.json ? undefined : ask;
  const print = (created: CreatedEnvironment & { imported?: number }): number => {
    io.stdout(values.json ? JSON.stringify({ name: created.manifest.name, ...created }, null, 2) : report(created));
    return 0;
  };
  // History goes to the store, which needs the stack; without it, env init touches nothing but the new folder.
  if (options.importResults !== undefined) {
    // A bad file is refused before the data directory is opened.
    await readResultsTsv(resolve(options.path), options.importResults);
    return withServer(
      values,
      io.env,
      async (server) =>
        print(await server.services.addEnvironment(options, { ...(interactive ? { ask: interactive } : {}) })),
      { dispatch: false },
    );
  }
  const config = loadConfig({
    env: io.env,
    configFile: values.config,
    overrides: values.home ? { home: values.home } : {},
  });
  const registry = createEnvironmentRegistry(environmentRoots(config));
  return print(await createEnvironmentFrom(config, registry, options, interactive ? { ask: interactive } : {}));
}
