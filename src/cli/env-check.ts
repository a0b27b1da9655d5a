// `groundwork env check NAME`: run an environment's baseline once through the normal pipeline and print the metric.
import { join } from 'node:path';

import { runsDir } from '../config/runs-dir.js';
import type { Experiment } from '../domain/records.js';
import { isActive } from '../domain/states.js';
import type { Environment } from '../environments/registry.js';
import type { ResearchServer } from '../server.js';
import type { CommandIo } from './command.js';
import { formatDuration, formatNumber } from './format.js';
import { withServer } from './open-server.js';

export interface EnvCheckOptions {
  name: string;
  profile: string;
  seeds: number[];
  json: boolean;
  values: { home?: string; config?: string };
}

const HOUR_MS = 3_600_000;

function describeResult(experiment: Experiment, environment: Environment): string[] {
  const { manifest } = environment;
  const result = experiment.result;
  if (!result) return [];
  const { metric } = result;
  const spread = metric.seeds > 1 ? ` ± ${formatNumber(metric.std)} over ${metric.seeds} seeds` : '';
  const lines = [`${metric.name} ${formatNumber(metric.value)}${spread} (reward ${formatNumber(result.reward)})`];
  if (result.baseline) {
    lines.push(
      `recorded baseline for this profile: ${formatNumber(result.baseline.value)} ± ${formatNumber(result.baseline.std)}` +
        (result.baseline.beyondNoise ? ' — this run differs by more than 2 std: check the machine and software' : ''),
    );
  }
  for (const reference of manifest.references) lines.push(`reference: ${reference.label}: ${reference.value}`);
  return lines;
}

async function check(
  server: ResearchServer,
  options: EnvCheckOptions,
  io: CommandIo,
  own: Set<string>,
): Promise<number> {
  const { services } = server;
  const environment = await services.getEnvironment(options.name);
  const { python } = await services.checkSetup(options.name);
  const started = Date.now();
  if (!options.json) {
    io.stdout(
      `env check ${options.name} (profile ${options.profile}, seeds ${options.seeds.join(',')}): running the unchanged ` +
        `code through the pipeline (${server.config.executor.kind} executor, ${python})`,
    );
  }
  const queued = await services.runBaseline({
    environment: options.name,
    profile: options.profile,
    seeds: options.seeds,
  });
  own.add(queued.id);
  let last = '';
  const unsubscribe = services.onExperimentUpdate((experiment) => {
    if (experiment.id !== queued.id || options.json) return;
    const states = experiment.runs.map((run) => `seed ${run.seed} ${run.state}`).join(', ');
    const line = `${formatDuration(Date.now() - started).padStart(6)}  ${experiment.state}: ${states}`;
    if (line.slice(6) !== last) io.stdout(line);
    last = line.slice(6);
  });
  let experiment: Experiment;
  try {
    experiment = await services.waitForExperiment(queued.id, 24 * HOUR_MS);
  } finally {
    unsubscribe();
  }
  if (options.json) {
    io.stdout(
      JSON.stringify(
        { experiment: experiment.id, state: experiment.state, result: experiment.result, failure: experiment.failure },
        null,
        2,
      ),
    );
    return experiment.state === 'succeeded' ? 0 : 1;
  }
  if (experiment.state !== 'succeeded') {
    io.stderr(
      `env check ${options.name} failed: ${experiment.failure?.category}: ${experiment.failure?.message}\n` +
        (experiment.failure?.logTail ? `--- log tail ---\n${experiment.failure.logTail}\n` : '') +
        `experiment ${experiment.id}; full logs under ${join(runsDir(server.config), experiment.id)}/`,
    );
    return 1;
  }
  io.stdout(`\nok in ${formatDuration(Date.now() - started)}: ${describeResult(experiment, environment).join('\n')}`);
  io.stdout(`experiment ${experiment.id}`);
  return 0;
}

export function runEnvCheck(options: EnvCheckOptions, io: CommandIo): Promise<number> {
  // Interrupted: the baseline run is cancelled, not left queued for whichever daemon starts next.
  const cancelOwn = async (server: ResearchServer): Promise<void> => {
    for (const experiment of await server.services.listExperiments()) {
      if (own.has(experiment.id) && isActive(experiment)) {
        await server.services.cancelExperiment(experiment.id);
      }
    }
  };
  const own = new Set<string>();
  return withServer(options.values, io.env, (server) => check(server, options, io, own), {}, {}, cancelOwn);
}
