// `groundwork env baseline NAME`: run the unchanged code on each seed and record value, spread and runs in the environment.
import { join } from 'node:path';

import { runsDir } from '../config/runs-dir.js';
import { ResearchError } from '../domain/errors.js';
import { type CommandIo, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { cancelOnInterrupt, failureText, followExperiment } from './follow-experiment.js';
import { formatNumber } from './format.js';
import { withServer } from './open-server.js';
import { parseSeedList } from './seeds.js';

export const ENV_BASELINE_USAGE = `Usage: groundwork env baseline NAME [--seeds 0,1,2] [--profile P] [--json]

Runs the environment's unchanged code once per seed through the normal pipeline and records the mean, the
spread (sample standard deviation) and the number of runs in the environment (environments made with
env init). Every later result of that profile is compared with it: a difference smaller than twice the
spread is "within noise". Use at least two seeds, or every difference counts as beyond noise.

Options:
  --seeds LIST   comma-separated seeds (default 0,1,2)
  --profile P    environment profile (default: default)
  --json         print JSON
${GLOBAL_USAGE}`;

export async function runEnvBaseline(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { seeds: { type: 'string' }, profile: { type: 'string' }, json: { type: 'boolean' } },
    ENV_BASELINE_USAGE,
  );
  if (values.help) {
    io.stdout(ENV_BASELINE_USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new ResearchError('bad_input', `env baseline takes one environment name\n\n${ENV_BASELINE_USAGE}`);
  const name = positionals[0] as string;
  const seeds = parseSeedList(values.seeds, [0, 1, 2]);
  const json = values.json ?? false;
  const own = new Set<string>();
  return withServer(
    values,
    io.env,
    async (server) => {
      const environment = await server.services.getEnvironment(name);
      if (!environment.manifest.source) {
        throw new ResearchError(
          'bad_input',
          `${name} was not made with env init, so its manifest keeps the baseline it shipped with; use groundwork env check ${name} to measure it`,
        );
      }
      const { python } = await server.services.checkSetup(name);
      if (!json)
        io.stdout(
          `env baseline ${name} (profile ${values.profile ?? 'default'}, seeds ${seeds.join(',')}): the unchanged code through the pipeline (${python})`,
        );
      const queued = await server.services.runBaseline({ environment: name, profile: values.profile, seeds });
      own.add(queued.id);
      const experiment = await followExperiment(server, queued.id, io, json);
      if (experiment.state !== 'succeeded') {
        if (json)
          io.stdout(
            JSON.stringify(
              {
                experiment_id: experiment.id,
                state: experiment.state,
                baseline: null,
                failure: experiment.failure ?? null,
              },
              null,
              2,
            ),
          );
        else
          io.stderr(
            `env baseline ${name} failed, nothing recorded: ${failureText(experiment, join(runsDir(server.config), experiment.id))}`,
          );
        return 1;
      }
      const baseline = await server.services.recordBaseline(experiment.id);
      if (json) {
        io.stdout(
          JSON.stringify({ experiment_id: experiment.id, state: experiment.state, baseline, failure: null }, null, 2),
        );
        return 0;
      }
      const metric = environment.manifest.metric;
      io.stdout(
        `\nbaseline ${metric.name} ${formatNumber(baseline.value)} ± ${formatNumber(baseline.std)} over ${baseline.runs} run(s) (profile ${baseline.profile})` +
          `${metric.selfReported ? ' [self_reported]' : ''}, recorded in ${join(environment.dir, 'environment.json')}\n` +
          `results of this profile now differ from it "beyond noise" only by more than ${formatNumber(2 * baseline.std)}` +
          (baseline.runs < 2
            ? '\nwarning: one run has no spread, so every difference counts as beyond noise; use --seeds 0,1,2'
            : '') +
          `\nexperiment ${experiment.id}\nNext: groundwork run ${name} --edit my-change.diff`,
      );
      return 0;
    },
    {},
    {},
    cancelOnInterrupt(own),
  );
}
