// The true rules of an environment, stated once for every prompt: metric, baseline, what may change, limits.
import type { Manifest } from '../environments/manifest.js';

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function list(items: readonly string[]): string {
  return items.map((item) => `\`${item}\``).join(', ');
}

/** The metric and which way is better, e.g. "val_loss (lower is better)". */
export function metricPhrase(manifest: Manifest): string {
  return `${manifest.metric.name} (${manifest.metric.direction === 'min' ? 'lower' : 'higher'} is better)`;
}

/** The rules section shared by the ideation and implementation prompts. */
export function environmentRules(manifest: Manifest, editableFiles: readonly string[]): string {
  const { resources, baseline, setup } = manifest;
  const frozen = [...new Set([...manifest.frozen, ...(manifest.harness ? [`${manifest.harness}/**`] : [])])];
  const cores = `${resources.cpus} CPU core${resources.cpus === 1 ? '' : 's'}`;
  const hardware =
    resources.gpus > 0
      ? `${resources.gpus} GPU${resources.gpus > 1 ? 's' : ''}, ${cores} and ${resources.memoryGiB} GiB of memory`
      : `CPU only (${cores}, no GPU) and ${resources.memoryGiB} GiB of memory`;
  const modules =
    setup.modules.length > 0 ? `the standard library plus ${list(setup.modules)}` : 'the standard library';
  const lines = [
    `## The environment: ${manifest.name}`,
    manifest.description,
    '',
    'These rules are enforced by the system, not suggestions:',
    `- Metric: ${metricPhrase(manifest)}. A frozen evaluation harness measures it after training, on held-out data the training code never sees; nothing in the editable code can change how it is measured.`,
    ...(baseline
      ? [
          `- Baseline: the unchanged code scores ${manifest.metric.name} ${baseline.value} ± ${baseline.std} (over ${baseline.runs} runs). Differences smaller than that spread are noise.`,
        ]
      : []),
    `- Editable files: ${list(editableFiles.length > 0 ? editableFiles : manifest.editable)}. Edits to any other file are refused.`,
    ...(frozen.length > 0 ? [`- Frozen (never editable, and the harness is not shown): ${list(frozen)}.`] : []),
    `- Each training run is stopped after ${duration(resources.timeLimitSec)} of wall-clock time on ${hardware}. An idea that needs more time or memory fails.`,
    `- Python can import only ${modules}. Nothing can be installed and runs have no network access.`,
    '- A run that crashes, times out, runs out of memory, produces NaN or writes no result counts as a failure, whatever it printed.',
  ];
  return lines.join('\n');
}
