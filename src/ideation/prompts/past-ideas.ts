// Describe earlier ideas and what became of them (result, or why they failed) for the ideation prompts.
import { isActive } from '../../domain/states.js';
import type { Manifest } from '../../environments/manifest.js';
import type { IdeaOutcome } from '../ideator.js';

const IDEA_CHARS = 700;
const REASON_CHARS = 300;

function clip(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1)}…`;
}

function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' / ');
}

/** One line on what happened to an idea: its score against the baseline, or why it failed. */
export function outcomeLine(past: IdeaOutcome, manifest: Manifest): string {
  const { experiment } = past;
  const metric = manifest.metric.name;
  if (!experiment) {
    return past.implementationError
      ? `never ran: no working edit could be made (${clip(past.implementationError, REASON_CHARS)})`
      : 'not run';
  }
  if (isActive(experiment)) return 'still running, no result yet';
  const result = experiment.result;
  if (experiment.state === 'succeeded' && result) {
    const baseline = result.baseline;
    const noise =
      baseline?.beyondNoise === undefined ? '' : baseline.beyondNoise ? ' (beyond seed noise)' : ' (within seed noise)';
    const versus = baseline
      ? `; baseline ${baseline.value}, so ${baseline.improved ? 'better' : 'worse'} by ${Math.abs(baseline.delta).toPrecision(3)}${noise}`
      : '';
    return `${metric} ${result.metric.value.toPrecision(5)}${versus}`;
  }
  const failure = experiment.failure;
  if (!failure) return experiment.state;
  const tail = failure.logTail ? ` Last output: ${clip(lastLines(failure.logTail, 3), REASON_CHARS)}` : '';
  return `failed (${failure.category}): ${clip(failure.message, REASON_CHARS)}${tail}`;
}

export function ideaSummary(past: IdeaOutcome): string {
  return `${past.idea.title}: ${clip(past.idea.text, IDEA_CHARS)}`;
}

/** Numbered entries `<prefix><n>. <idea> → <outcome>`. */
export function pastIdeasList(ideas: readonly IdeaOutcome[], manifest: Manifest, prefix = ''): string {
  return ideas
    .map((past, index) => `${prefix}${index + 1}. ${ideaSummary(past)}\n   Result: ${outcomeLine(past, manifest)}`)
    .join('\n');
}

/** Whether an idea failed (did not run, or ran and failed). */
export function failed(past: IdeaOutcome): boolean {
  return past.experiment ? past.experiment.state === 'failed' : past.implementationError !== undefined;
}

/** Why an idea failed, as (category, one-line reason); undefined when it did not fail. */
export function failureOf(past: IdeaOutcome): { category: string; reason: string } | undefined {
  if (!failed(past)) return undefined;
  const failure = past.experiment?.failure;
  if (failure) {
    const lastLine = failure.logTail ? lastLines(failure.logTail, 1) : '';
    return {
      category: failure.category,
      reason: clip(lastLine ? `${failure.message}: ${lastLine}` : failure.message, 160),
    };
  }
  const text = past.implementationError ?? past.experiment?.state ?? 'failed';
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(text);
  return match
    ? { category: match[1] as string, reason: clip(match[2] as string, 160) }
    : { category: 'failed', reason: clip(text, 160) };
}

/**
 * One line per failure category over every failed idea, most frequent first: how many, and the latest one's reason,
 * e.g. `- oom (3×): CUDA out of memory … (latest: "Wider MLP")`. Empty when nothing failed.
 */
export function failureSummary(ideas: readonly IdeaOutcome[]): string {
  const byCategory = new Map<string, { count: number; reason: string; title: string }>();
  for (const past of ideas) {
    const failure = failureOf(past);
    if (!failure) continue;
    const entry = byCategory.get(failure.category);
    byCategory.set(failure.category, {
      count: (entry?.count ?? 0) + 1,
      reason: failure.reason,
      title: clip(past.idea.title, 80),
    });
  }
  return [...byCategory.entries()]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([category, entry]) => `- ${category} (${entry.count}×): ${entry.reason} (latest: "${entry.title}")`)
    .join('\n');
}
