// `groundwork run ENV [--edit FILE]`: one edit (or none) through the normal pipeline; prints reward, baseline, failure.
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import { runsDir } from '../config/runs-dir.js';
import { ResearchError } from '../domain/errors.js';
import type { Experiment } from '../domain/records.js';
import type { ResearchServer } from '../server.js';
import { type Command, type CommandIo, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { cancelOnInterrupt, failureText, followExperiment, resultLines } from './follow-experiment.js';
import { withServer } from './open-server.js';
import { parseSeedList } from './seeds.js';

const usage = `Usage: groundwork run ENVIRONMENT [--edit FILE] [--idea "…"] [--seeds 0,1] [--profile P] [--json]

Applies the edit in FILE (a unified diff, search/replace blocks, an apply_patch envelope or a whole file),
checks it like any implementation (frozen files, syntax), runs it once per seed through the normal pipeline
and prints the metric, the reward, the comparison with the recorded baseline, or the failure with its log
tail. Without --edit it runs the unchanged code. Exit status 0 when the run succeeded.

Options:
  --edit FILE    the change to run
  --idea "…"     what the change is (kept with the result and in an exported commit; default: the file name)
  --seeds LIST   comma-separated seeds (default 0)
  --profile P    environment profile (default: default)
  --json         print { "experiment_id", "state", "metric", "reward", "baseline", "failure" }
${GLOBAL_USAGE}`;

type Json = Record<string, unknown> | null;

/** The --json report: the field names are part of the CLI's contract. */
function jsonReport(
  experiment: Experiment | undefined,
  failure?: { category: string; message: string; logTail: string },
  runs?: number,
): Record<string, unknown> {
  const result = experiment?.result;
  const metric: Json = result
    ? {
        name: result.metric.name,
        value: result.metric.value,
        std: result.metric.std,
        seeds: result.metric.seeds,
        direction: result.metric.direction,
        self_reported: result.metric.selfReported === true,
      }
    : null;
  const baseline: Json = result?.baseline
    ? {
        value: result.baseline.value,
        std: result.baseline.std,
        ...(runs ? { runs } : {}),
        delta: result.baseline.delta,
        improved: result.baseline.improved,
        beyond_noise: result.baseline.beyondNoise,
      }
    : null;
  const why = failure ?? experiment?.failure;
  return {
    experiment_id: experiment?.id ?? null,
    state: experiment?.state ?? 'failed',
    metric,
    reward: result?.reward ?? null,
    baseline,
    failure: why ? { category: why.category, message: why.message, log_tail: why.logTail } : null,
  };
}

type Refusal = { category: string; message: string };

/** Queues the experiment, or says why the edit could not be made into one. */
async function queue(
  server: ResearchServer,
  name: string,
  values: { edit?: string; idea?: string; seeds?: string; profile?: string },
): Promise<Experiment | Refusal> {
  const { services } = server;
  const seeds = parseSeedList(values.seeds, [0]);
  if (values.edit === undefined) return services.runBaseline({ environment: name, profile: values.profile, seeds });
  const file = resolve(values.edit);
  const edit = await readFile(file, 'utf8').catch(() => {
    throw new ResearchError('bad_input', `--edit ${values.edit}: cannot read ${file}`);
  });
  const implementation = await services.implementIdea({
    idea: {
      title: values.idea?.split('\n')[0]?.slice(0, 120) ?? `edit ${basename(file)}`,
      text: values.idea ?? `The change in ${file}, run with groundwork run.`,
    },
    environment: name,
    edit,
  });
  if (implementation.status !== 'ready')
    return implementation.error ?? { category: 'edit_refused', message: 'the edit was refused' };
  return services.runExperiment({ implementationId: implementation.id, seeds, profile: values.profile });
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run one edit (or the unchanged code) of an environment and print its reward',
  usage,
  async run(argv: string[], io: CommandIo) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        edit: { type: 'string' },
        idea: { type: 'string' },
        seeds: { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    if (positionals.length !== 1)
      throw new ResearchError('bad_input', `run takes one environment name; see groundwork env list\n\n${usage}`);
    const name = positionals[0] as string;
    const json = values.json ?? false;
    const own = new Set<string>();
    return withServer(
      values,
      io.env,
      async (server) => {
        const environment = await server.services.getEnvironment(name);
        const queued = await queue(server, name, values);
        if (!('id' in queued)) {
          const failure = queued;
          if (json) io.stdout(JSON.stringify(jsonReport(undefined, { ...failure, logTail: '' }), null, 2));
          else io.stderr(`run ${name}: the edit was not run: ${failure.category}: ${failure.message}`);
          return 1;
        }
        own.add(queued.id);
        if (!json)
          io.stdout(
            `run ${name}: experiment ${queued.id} (profile ${queued.profile}, seeds ${queued.runs.map((r) => r.seed).join(',')}), ${values.edit ? `edit ${values.edit}` : 'unchanged code'}`,
          );
        const experiment = await followExperiment(server, queued.id, io, json);
        const runs =
          environment.manifest.baseline?.profile === experiment.profile
            ? environment.manifest.baseline.runs
            : undefined;
        if (json) {
          io.stdout(JSON.stringify(jsonReport(experiment, undefined, runs), null, 2));
          return experiment.state === 'succeeded' ? 0 : 1;
        }
        if (experiment.state !== 'succeeded') {
          io.stderr(`run ${name} ${failureText(experiment, join(runsDir(server.config), experiment.id))}`);
          return 1;
        }
        io.stdout(['', ...resultLines(experiment, runs), `experiment ${experiment.id}`].join('\n'));
        if (values.edit)
          io.stdout(`Next: groundwork export ${experiment.id} --git ${environment.manifest.source?.path ?? 'REPO'}`);
        return 0;
      },
      {},
      {},
      cancelOnInterrupt(own),
    );
  },
};
