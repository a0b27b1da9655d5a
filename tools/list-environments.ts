// list_environments: the environments an idea can target, with their metric, limits and baseline.
import { z } from 'zod';

import { defineTool } from './define-tool.js';
import { num } from './text.js';

const EnvironmentShape = z.object({
  name: z.string(),
  description: z.string(),
  editable: z.array(z.string()).describe('globs of the files an edit may change'),
  frozen: z.array(z.string()).describe('globs an edit may never touch (harness, data, launch files)'),
  metric: z.object({ name: z.string(), direction: z.enum(['min', 'max']) }),
  baseline: z
    .object({ value: z.number(), std: z.number(), runs: z.number().int(), profile: z.string() })
    .nullable()
    .describe('the unmodified code, measured; null when not recorded'),
  resources: z.object({
    gpus: z.number().int(),
    cpus: z.number(),
    memory_gib: z.number(),
    time_limit_sec: z.number().int(),
  }),
  profiles: z.array(z.string()).describe('run_experiment profiles besides "default" (e.g. smoke: a cheap check)'),
  knobs: z.array(z.string()).describe('named tunable values the offline ideator moves'),
});

export const listEnvironments = defineTool({
  name: 'list_environments',
  title: 'List research environments',
  description:
    'Lists the environments (training codebases with a frozen evaluation harness) that ideas can target: each with its metric and direction, the baseline result, which files an edit may change (editable) or never touch (frozen), resource limits and profiles. Start here; then read the code with read_environment and propose ideas with propose_idea.',
  kind: 'read',
  input: z.object({}),
  output: z.object({
    environments: z.array(EnvironmentShape),
    invalid: z
      .array(z.object({ dir: z.string(), error: z.string() }))
      .describe('environment folders whose manifest is broken; they cannot be used'),
  }),
  async handle({ services }) {
    const listing = await services.listEnvironments();
    return {
      environments: listing.environments.map(({ manifest }) => ({
        name: manifest.name,
        description: manifest.description,
        editable: manifest.editable,
        frozen: [...new Set([...manifest.frozen, ...(manifest.harness ? [`${manifest.harness}/**`] : [])])],
        metric: { name: manifest.metric.name, direction: manifest.metric.direction },
        baseline: manifest.baseline
          ? {
              value: manifest.baseline.value,
              std: manifest.baseline.std,
              runs: manifest.baseline.runs,
              profile: manifest.baseline.profile,
            }
          : null,
        resources: {
          gpus: manifest.resources.gpus,
          cpus: manifest.resources.cpus,
          memory_gib: manifest.resources.memoryGiB,
          time_limit_sec: manifest.resources.timeLimitSec,
        },
        profiles: Object.keys(manifest.profiles),
        knobs: Object.keys(manifest.knobs),
      })),
      invalid: listing.invalid.map(({ dir, error }) => ({ dir, error: error.message })),
    };
  },
  render({ environments, invalid }) {
    const lines = environments.map((environment) => {
      const baseline = environment.baseline
        ? `baseline ${num(environment.baseline.value)} ± ${num(environment.baseline.std)}`
        : 'no baseline recorded';
      return [
        `${environment.name}: ${environment.description}`,
        `  metric ${environment.metric.name} (${environment.metric.direction === 'min' ? 'lower' : 'higher'} is better), ${baseline}`,
        `  editable: ${environment.editable.join(', ')}; frozen: ${environment.frozen.join(', ') || '-'}`,
        `  limits: ${environment.resources.gpus} GPU, ${environment.resources.cpus} CPU, ${environment.resources.memory_gib} GiB, ${environment.resources.time_limit_sec} s; profiles: default${environment.profiles.map((p) => `, ${p}`).join('')}`,
      ].join('\n');
    });
    if (lines.length === 0) lines.push('no environments found');
    for (const broken of invalid) lines.push(`broken environment ${broken.dir}: ${broken.error}`);
    return lines.join('\n');
  },
});
