// `groundwork env list`: the environments groundwork can run, and any whose manifest is invalid.
import { ResearchError } from '../domain/errors.js';
import { createEnvironmentRegistry } from '../environments/registry.js';
import { loadConfig } from '../config/load-config.js';
import { type Command, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { formatNumber, table } from './format.js';

const usage = `Usage: groundwork env list [--json]

Lists the environments found in the configured folders (the bundled environments/ by default,
plus $GROUNDWORK_ENVIRONMENTS), with their metric, baseline and resources. Invalid manifests are
listed with the field that is wrong.

Options:
  --json   print JSON
${GLOBAL_USAGE}`;

export const envCommand: Command = {
  name: 'env',
  summary: 'list environments (env list)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, usage);
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    if (positionals[0] !== 'list' || positionals.length > 1) {
      throw new ResearchError('bad_input', `unknown env subcommand "${positionals.join(' ')}"\n\n${usage}`);
    }
    const config = loadConfig({
      env: io.env,
      configFile: values.config,
      overrides: values.home ? { home: values.home } : {},
    });
    const { environments, invalid } = await createEnvironmentRegistry(config.environmentDirs).list();
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
          `${manifest.metric.name} (${manifest.metric.direction})`,
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
