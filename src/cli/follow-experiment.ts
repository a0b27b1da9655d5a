// Follow one experiment from the terminal: progress lines while it runs, the result (or failure) once it has ended.
import type { Experiment } from '../domain/records.js';
import type { ResearchServer } from '../server.js';
import type { CommandIo } from './command.js';
import { formatDuration, formatNumber, formatSigned } from './format.js';

const DAY_MS = 24 * 3_600_000;

/** Waits for the experiment, printing a line whenever a seed changes state (nothing with `quiet`). */
export async function followExperiment(
  server: ResearchServer,
  id: string,
  io: CommandIo,
  quiet: boolean,
): Promise<Experiment> {
  const started = Date.now();
  let last = '';
  const unsubscribe = server.services.onExperimentUpdate((experiment) => {
    if (experiment.id !== id || quiet) return;
    const states = experiment.runs.map((run) => `seed ${run.seed} ${run.state}`).join(', ');
    const line = `${experiment.state}: ${states}`;
    if (line !== last) io.stdout(`${formatDuration(Date.now() - started).padStart(6)}  ${line}`);
    last = line;
  });
  try {
    return await server.services.waitForExperiment(id, DAY_MS);
  } finally {
    unsubscribe();
  }
}

/** Cancels, on Ctrl-C, the experiments a command queued, so they are not left for the next daemon. */
export function cancelOnInterrupt(own: Set<string>) {
  return async (server: ResearchServer): Promise<void> => {
    for (const id of own) {
      const experiment = await server.services.getExperiment(id).catch(() => undefined);
      if (experiment && (experiment.state === 'queued' || experiment.state === 'running')) {
        await server.services.cancelExperiment(id);
      }
    }
  };
}

/** The result lines: metric with spread, reward, self-reported mark, and the comparison with the baseline. */
export function resultLines(experiment: Experiment, baselineRuns?: number): string[] {
  const result = experiment.result;
  if (!result) return [];
  const { metric, baseline } = result;
  const spread = metric.seeds > 1 ? ` ± ${formatNumber(metric.std)} over ${metric.seeds} seeds` : ' (1 seed)';
  const lines = [
    `${metric.name} ${formatNumber(metric.value)}${spread}, reward ${formatNumber(result.reward)}${metric.selfReported ? '  [self_reported: printed by the code being edited]' : ''}`,
  ];
  if (baseline) {
    const verdict = baseline.improved ? 'better' : 'not better';
    lines.push(
      `baseline ${formatNumber(baseline.value)} ± ${formatNumber(baseline.std)}${baselineRuns ? ` (${baselineRuns} runs)` : ''}: ` +
        `${formatSigned(baseline.delta)}, ${verdict}, ${baseline.beyondNoise ? 'beyond noise' : 'within noise'} (noise: 2 × ${formatNumber(baseline.std)})`,
    );
  } else {
    lines.push(
      `no baseline recorded for profile ${experiment.profile}: run groundwork env baseline ${experiment.environment}`,
    );
  }
  return lines;
}

/** The failure with its log tail, for stderr. */
export function failureText(experiment: Experiment, logsDir: string): string {
  const failure = experiment.failure;
  return (
    `${experiment.state}: ${failure?.category ?? 'unknown'}: ${failure?.message ?? ''}\n` +
    (failure?.logTail ? `--- log tail ---\n${failure.logTail}\n` : '') +
    `experiment ${experiment.id}; full logs under ${logsDir}/`
  );
}
