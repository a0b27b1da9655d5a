// list_environments: the environments an idea can target, with their metric, limits and baseline.
import { z } from 'zod';

import { EnvironmentListingShape, environmentListingOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';
import { num } from './text.js';

export const listEnvironments = defineTool({
  name: 'list_environments',
  title: 'List research environments',
  description:
    'Lists the environments (training codebases with a frozen evaluation harness) that ideas can target: each with its metric and direction, the baseline result, which files an edit may change (editable) or never touch (frozen), resource limits and profiles. Start here; then read the code with read_environment and propose ideas with propose_idea.',
  kind: 'read',
  input: z.object({}),
  output: EnvironmentListingShape,
  async handle({ services }) {
    return environmentListingOutput(await services.listEnvironments());
  },
  summarize({ environments, invalid }) {
    const first = environments.find((e) => e.baseline) ?? environments[0];
    const names = environments
      .map(
        (e) =>
          `${e.name} (${e.metric.name}, ${e.metric.direction === 'min' ? 'lower' : 'higher'} is better${e.baseline ? `, baseline ${num(e.baseline.value)}` : ''})`,
      )
      .join('; ');
    const broken = invalid.length > 0 ? ` ${invalid.length} environment folder(s) are broken.` : '';
    if (!first) return { summary: `No environments found.${broken} Add one with add_environment.` };
    return {
      summary: `${environments.length} environment(s): ${names.slice(0, 600)}.${broken} Read one's code with read_environment, then propose_idea.`,
      next: { tool: 'read_environment', arguments: { environment: first.name } },
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
