// `groundwork rl status|list|advance`: read runs from the store, or from their status files while a run holds it.
import { advanceRun, readStatusFiles, runDir, runStatusJson, type RunStatusJson } from '../../rl/run-files.js';
import { loadConfig } from '../config/load-config.js';
import { ResearchError } from '../domain/errors.js';
import type { RlRun } from '../domain/rl-records.js';
import { type CommandIo, parseCommandArgs } from './command.js';
import { formatNumber, table } from './format.js';
import { withServer } from './open-server.js';
import { RL_USAGE } from './rl-usage.js';

const OPTIONS = { json: { type: 'boolean' }, model: { type: 'string' } } as const;
type Values = { home?: string; config?: string };

/** Nothing else can be running a run whose store this process could open: a `running` one was killed. */
const shownState = (run: RlRun): string => (run.state === 'running' ? 'interrupted' : run.state);

/** Reads through the store; when another process holds the data directory (a run going on), from the status files. */
async function readRuns<T>(values: Values, io: CommandIo, show: (runs: RunStatusJson[]) => T, id?: string): Promise<T> {
  let result: T | undefined;
  try {
    await withServer(
      values,
      io.env,
      async ({ services }) => {
        const runs = id === undefined ? await services.listRlRuns() : [(await services.getRlRun(id)).run];
        const statuses: RunStatusJson[] = [];
        for (const run of runs) {
          const { epochs } = await services.getRlRun(run.id);
          statuses.push({ ...runStatusJson(run, epochs), state: shownState(run) });
        }
        result = show(statuses);
        return 0;
      },
      { dispatch: false },
    );
    return result as T;
  } catch (error) {
    if (!ResearchError.is(error, 'store_locked')) throw error;
    const home = loadConfig({
      env: io.env,
      configFile: values.config,
      overrides: values.home ? { home: values.home } : {},
    }).home;
    const statuses = (await readStatusFiles(home)).filter((status) => id === undefined || status.id === id);
    if (id !== undefined && statuses.length === 0) {
      throw new ResearchError('not_found', `no RL run ${id}: no status file in ${runDir(home, id)} (${error.message})`);
    }
    return show(statuses);
  }
}

const parse = (argv: string[]) => parseCommandArgs(argv, OPTIONS, RL_USAGE);

export async function rlStatus(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return (io.stdout(RL_USAGE), 0);
  if (positionals.length !== 1)
    throw new ResearchError('bad_input', 'rl status takes one run id; "groundwork rl list" shows them');
  const id = positionals[0] as string;
  return readRuns(
    values,
    io,
    ([status]) => {
      if (!status) throw new ResearchError('not_found', `no RL run ${id}; "groundwork rl list" shows the runs`);
      if (values.json) return (io.stdout(JSON.stringify(status, null, 2)), 0);
      io.stdout(
        `run ${status.id} (${status.environment}): ${status.state}, ${status.epoch} epochs done, policy v${status.policy_version} (${status.model})`,
      );
      if (status.mitigations.length > 0) io.stdout(`mitigations: ${status.mitigations.join(', ')}`);
      if (status.error) io.stdout(`error: ${status.error}`);
      const rows = status.epochs.map((e) =>
        [
          e.epoch,
          e.mean_reward,
          e.max_reward,
          e.execution_rate,
          e.duplicate_share,
          e.distinct_ideas,
          e.mean_jaccard,
          e.thinking_tokens,
        ].map((value, i) =>
          i === 0 || i === 5
            ? String(value)
            : i === 7
              ? String(Math.round(Number(value)))
              : formatNumber(Number(value), 3),
        ),
      );
      io.stdout(table(['epoch', 'mean', 'max', 'exec', 'dup', 'distinct', 'jaccard', 'thinking'], rows));
      return 0;
    },
    id,
  );
}

export async function rlList(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return (io.stdout(RL_USAGE), 0);
  if (positionals.length > 0) throw new ResearchError('bad_input', 'rl list takes no arguments');
  return readRuns(values, io, (statuses) => {
    const runs = statuses.map((s) => ({ id: s.id, state: s.state, environment: s.environment, epoch: s.epoch }));
    if (values.json) io.stdout(JSON.stringify(runs));
    else if (runs.length === 0) io.stdout('no RL runs yet; "groundwork rl start --help" shows how to start one');
    else
      io.stdout(
        table(
          ['run', 'state', 'environment', 'epochs done'],
          runs.map((r) => [r.id, r.state, r.environment, String(r.epoch)]),
        ),
      );
    return 0;
  });
}

export async function rlAdvance(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) return (io.stdout(RL_USAGE), 0);
  if (positionals.length !== 1 || !values.model) {
    throw new ResearchError(
      'bad_input',
      'usage: groundwork rl advance ID --model NAME (the model the endpoint now serves)',
    );
  }
  const home = loadConfig({
    env: io.env,
    configFile: values.config,
    overrides: values.home ? { home: values.home } : {},
  }).home;
  const { epoch, file } = await advanceRun(home, positionals[0] as string, values.model);
  io.stdout(`run ${positionals[0]}: epoch ${epoch} trained; the policy is now ${values.model} (wrote ${file})`);
  return 0;
}
