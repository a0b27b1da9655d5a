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
