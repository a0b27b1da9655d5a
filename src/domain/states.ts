// The life-cycle states and outcome vocabularies of the records, as zod enums: one spelling for store, tools and API.
import { z } from 'zod';

export const ExperimentState = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type ExperimentState = z.infer<typeof ExperimentState>;

/** `paused`: no process drives it now (Ctrl-C, shutdown, a killed process); `search resume` or the next daemon continues it. */
export const SearchState = z.enum(['running', 'paused', 'succeeded', 'failed', 'cancelled']);
export type SearchState = z.infer<typeof SearchState>;

export const ScheduleState = z.enum(['active', 'cancelled']);
export type ScheduleState = z.infer<typeof ScheduleState>;

/** Why a search ran an experiment: a candidate idea, re-running a winner on more seeds, or the control arm. */
export const ExperimentRole = z.enum(['candidate', 'certification', 'control']);
export type ExperimentRole = z.infer<typeof ExperimentRole>;

/** Why an experiment (or an implementation, for the first two) failed. */
export const FailureCategory = z.enum([
  'edit_refused',
  'preflight_failed',
  'crashed',
  'timeout',
  'oom',
  'nan',
  'no_result',
  'cancelled',
  'infrastructure',
  'suspicious',
]);
export type FailureCategory = z.infer<typeof FailureCategory>;

/** The categories an implementation can fail with: its edit was refused, or it failed the pre-flight checks. */
export const EditFailureCategory = FailureCategory.extract(['edit_refused', 'preflight_failed']);
export type EditFailureCategory = z.infer<typeof EditFailureCategory>;

/**
 * What became of one attempt at an edit. passed: applied and passed pre-flight, and won; failed: refused or
 * failed pre-flight; api_error: the model call itself failed; abandoned: passed, but another chain had already won.
 */
export const AttemptOutcome = z.enum(['passed', 'failed', 'api_error', 'abandoned']);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

const ENDED: ReadonlySet<string> = new Set<ExperimentState | SearchState>(['succeeded', 'failed', 'cancelled']);

/** The record (experiment, run or search) has reached a final state: succeeded, failed or cancelled. */
export function isEnded(record: { state: ExperimentState | SearchState }): boolean {
  return ENDED.has(record.state);
}

/** The record is still queued or running. */
export function isActive(record: { state: ExperimentState | SearchState }): boolean {
  return !isEnded(record);
}
