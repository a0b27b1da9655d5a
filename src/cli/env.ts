// `groundwork env list|check`: the environments groundwork can run; run one's baseline through the pipeline.
import { ResearchError } from '../domain/errors.js';
import { createEnvironmentRegistry } from '../environments/registry.js';
import { loadConfig } from '../config/load-config.js';
import { environmentRoots } from '../config/environment-roots.js';
import { type Command, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { runEnvBaseline } from './env-baseline.js';
import { runEnvCheck } from './env-check.js';
import { runEnvInit } from './env-init.js';
import { formatNumber, table } from './format.js';

const usage = `Usage: groundwork env list [--json]
       groundwork env check NAME [--profile P] [--seeds 0,1,2] [--json]
       groundwork env init PATH [options]        (see groundwork env init --help)
       groundwork env baseline NAME [--seeds 0,1,2] [--profile P] [--json]

list    the environments found in the configured folders (the bundled environments/ by default,
        plus $GROUNDWORK_ENVIRONMENTS), with their metric, baseline and resources. Invalid
        manifests are listed with the field that is wrong.
check   runs the environment's unchanged code once through the normal pipeline (workspace,
        training, frozen evaluation, reward) on the configured executor and prints the metric.
        \`--profile smoke\` runs on a CPU-only machine for every bundled environment.
init    makes an environment of your own repository (under <home>/environments/).
baseline  measures the unchanged code on each seed and records value and spread in the environment.

Options:
  --profile P      environment profile for check (default: default)
  --seeds LIST     comma-separated seeds for check (default 0)
  --json           print JSON
${GLOBAL_USAGE}`;

function parseSeeds(text: string | undefined): number[] {
  if (text === undefined) return [0];
  const seeds = text.split(',').map((part) => Number(part.trim()));
  if (seeds.length === 0 || seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
    throw new ResearchError(
      'bad_input',
      `--seeds must be comma-separated non-negative integers, e.g. 0,1,2; got "${text}"`,
    );
  }
  return seeds;
}

export const envCommand: Command = {
  name: 'env',
  summary: 'list environments, make one of your repository, measure a baseline (env list|check|init|baseline)',
  usage,
  async run(argv, io) {
    // init and baseline take options of their own.
    if (argv[0] === 'init') return runEnvInit(argv.slice(1), io);
    if (argv[0] === 'baseline') return runEnvBaseline(argv.slice(1), io);
    const { values, positionals } = parseCommandArgs(
      argv,
      { json: { type: 'boolean' }, profile: { type: 'string' }, seeds: { type: 'string' } },
      usage,
    );
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    if (positionals[0] === 'check') {
      if (positionals.length !== 2) {
        throw new ResearchError(
          'bad_input',
          `env check takes one environment name; see \`groundwork env list\`\n\n${usage}`,
        );
      }
      return runEnvCheck(
        {
          name: positionals[1] as string,
          profile: values.profile ?? 'default',
          seeds: parseSeeds(values.seeds),
          json: values.json ?? false,
          values,
        },
        io,
      );
    }
    if (positionals[0] !== 'list' || positionals.length > 1) {
      throw new ResearchError('bad_input', `unknown env subcommand "${positionals.join(' ')}"\n\n${usage}`);
    }
    const config = loadConfig({
      env: io.env,
      configFile: values.config,
      overrides: values.home ? { home: values.home } : {},
    });
    const { environments, invalid } = await createEnvironmentRegistry(environmentRoots(config)).list();
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            environments: environments.map(({ manifest, dir }) => ({
              name: manifest.name,
              dir,
              description: manifest.description,
              metric: manifest.metric,
              baseline: manifest.baseline,
              resources: manifest.resources,
              profiles: Object.keys(manifest.profiles),
              knobs: Object.keys(manifest.knobs),
            })),
            invalid: invalid.map(({ dir, error }) => ({ dir, error: error.message })),
          },
          null,
          2,
        ),
      );
      return invalid.length > 0 ? 1 : 0;
    }
    io.stdout(
      table(
        ['name', 'metric', 'baseline', 'gpus', 'time limit', 'profiles', 'description'],
        environments.map(({ manifest }) => [
          manifest.name,
          `${manifest.metric.name} (${manifest.metric.direction})${manifest.metric.selfReported ? ' self_reported' : ''}`,
          manifest.baseline ? `${formatNumber(manifest.baseline.value)} ± ${formatNumber(manifest.baseline.std)}` : '-',
          String(manifest.resources.gpus),
          `${manifest.resources.timeLimitSec}s`,
          ['default', ...Object.keys(manifest.profiles)].join(','),
          manifest.description,
        ]),
        60,
      ),
    );
    for (const { error } of invalid) io.stderr(`invalid environment: ${error.message}`);
    return invalid.length > 0 ? 1 : 0;
  },
};
