// add_environment: make an environment of the user's own repository (what `groundwork env init` does), from a client.
import { z } from 'zod';

import { defineTool } from './define-tool.js';
import { allowedFolders } from './allowed-roots.js';

const Globs = z.array(z.string().min(1).max(500)).max(100);

export const addEnvironment = defineTool({
  name: 'add_environment',
  title: 'Add your repository as an environment',
  description:
    "Makes an environment of existing training code, as `groundwork env init` does, so ideas can be implemented and run against it; the repository itself is never changed (each run gets a copy of its tracked files, with data linked read-only). The folder must lie under the server's environments.allowedRoots or one of your MCP roots. Fields are env init's flags: give the metric and either metric_from_log (a regex over the training log; results are then marked self_reported, since the edited code prints the number) or evaluate (your own evaluation command, run after training as a separate step). Returns the new environment; next, measure its baseline (groundwork env baseline NAME) and run experiments or searches on it.",
  kind: 'write',
  input: z.object({
    path: z.string().min(1).max(4096).describe('absolute path of the repository (folder) with the training code'),
    name: z.string().max(100).optional().describe('environment name (default: the folder name)'),
    command: z
      .string()
      .max(2000)
      .optional()
      .describe('training command, e.g. "python train.py" (default when train.py exists)'),
    editable: Globs.optional().describe('globs of files an edit may change (default: the script the command runs)'),
    frozen: Globs.optional().describe('globs of files an edit may never change'),
    data: Globs.optional().describe(
      'large data to link read-only (paths or globs in the repository, ~/…, or absolute)',
    ),
    metric: z.string().max(100).optional().describe('the number to optimise, e.g. val_loss'),
    direction: z.enum(['min', 'max']).optional(),
    metric_from_log: z
      .string()
      .max(1000)
      .optional()
      .describe("regex over the training log; the last match's first group is the metric (self-reported)"),
    evaluate: z.string().max(2000).optional().describe('your own evaluation command, run after training'),
    time_limit: z
      .number()
      .int()
      .positive()
      .max(7 * 24 * 3600)
      .optional()
      .describe('seconds per training run (default 3600)'),
    gpus: z.number().int().min(0).max(64).optional(),
    preset: z
      .enum(['autoresearch'])
      .optional()
      .describe('karpathy/autoresearch layout: train.py editable, prepare.py frozen, val_bpb'),
    import_results: z.string().max(4096).optional().describe('an autoresearch results.tsv to import as history'),
  }),
  output: z.object({
    name: z.string(),
    dir: z.string(),
    description: z.string(),
    command: z.array(z.string()),
    editable: z.array(z.string()),
    frozen: z.array(z.string()),
    metric: z.object({ name: z.string(), direction: z.enum(['min', 'max']), self_reported: z.boolean() }),
    time_limit: z.number().int(),
    gpus: z.number().int(),
    knobs: z.array(z.string()),
    notes: z.array(z.string()),
    warnings: z.array(z.string()),
    imported: z.number().int().optional(),
  }),
  async handle(context, input) {
    const created = await context.services.addEnvironment(
      {
        path: input.path,
        name: input.name,
        command: input.command,
        editable: input.editable,
        frozen: input.frozen,
        data: input.data,
        metric: input.metric,
        direction: input.direction,
        metricFromLog: input.metric_from_log,
        evaluate: input.evaluate,
        timeLimit: input.time_limit,
        gpus: input.gpus,
        preset: input.preset,
        importResults: input.import_results,
      },
      { allowedRoots: await allowedFolders(context) },
    );
    const { manifest } = created;
    context.log.info(`environment ${manifest.name} created`, { dir: created.dir });
    return {
      name: manifest.name,
      dir: created.dir,
      description: manifest.description,
      command: manifest.command,
      editable: manifest.editable,
      frozen: manifest.frozen,
      metric: {
        name: manifest.metric.name,
        direction: manifest.metric.direction,
        self_reported: manifest.metric.selfReported === true,
      },
      time_limit: manifest.resources.timeLimitSec,
      gpus: manifest.resources.gpus,
      knobs: Object.keys(manifest.knobs),
      notes: created.notes,
      warnings: created.warnings,
      ...(created.imported !== undefined ? { imported: created.imported } : {}),
    };
  },
  summarize: (output) => ({
    summary: `Environment ${output.name} was created (editable ${output.editable.join(', ')}; metric ${output.metric.name}, ${output.metric.direction === 'min' ? 'lower' : 'higher'} is better${output.warnings.length > 0 ? `; ${output.warnings.length} warning(s)` : ''}). Measure its baseline (groundwork env baseline ${output.name}), then propose_idea, implement_idea or run_search with environment "${output.name}".`,
    next: { tool: 'propose_idea', arguments: { environment: output.name } },
  }),
  render(output) {
    return [
      `environment ${output.name} created at ${output.dir}`,
      output.description,
      `editable: ${output.editable.join(', ')}; frozen: ${output.frozen.join(', ')}`,
      `metric: ${output.metric.name} (${output.metric.direction})${output.metric.self_reported ? ', self_reported: read from the training log the edited code prints' : ''}`,
      ...output.notes.map((note) => `note: ${note}`),
      ...output.warnings.map((warning) => `warning: ${warning}`),
      ...(output.imported !== undefined ? [`${output.imported} earlier result(s) imported as history`] : []),
      `Next: measure the baseline (groundwork env baseline ${output.name}), then implement_idea / run_experiment or run_search with environment "${output.name}".`,
    ].join('\n');
  },
});
