// The persisted records: ideas, implementations, experiments, searches. Small, versioned, JSON.
import type { Direction } from './metric.js';

export const SCHEMA_VERSION = 1;

export type PromptKind = 'seed' | 'exploit' | 'explore' | 'client';

export interface Idea {
  id: string;
  schemaVersion: number;
  environment: string;
  title: string;
  /** The paper's `[Experiment] … [Code Changes] …` text. */
  text: string;
  origin: { provider: string; model: string; kind: PromptKind; strategy?: string };
  parentIds: string[];
  epoch?: number;
  searchId?: string;
  /** Exact knob settings for ideas the offline provider made; the offline implementer applies these. */
  knobs?: Record<string, number | string>;
  createdAt: string;
}

export interface EditAttempt {
  /** Where the raw edit text is stored, relative to the data directory. */
  rawPath?: string;
  error?: string;
}

export type ImplementationStatus = 'ready' | 'failed';

export interface Implementation {
  id: string;
  schemaVersion: number;
  ideaId: string;
  environment: string;
  implementer: string;
  status: ImplementationStatus;
  /** Canonical unified diff, computed from before/after, relative to the data directory. */
  diffPath?: string;
  filesChanged: string[];
  /** New content of each changed file, as an artifact path relative to the data directory; null = deleted. */
  changes: { path: string; artifact: string | null }[];
  attempts: EditAttempt[];
  error?: { category: 'edit_refused' | 'preflight_failed'; message: string };
  createdAt: string;
}

export type ExperimentState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export type FailureCategory =
  | 'edit_refused'
  | 'preflight_failed'
  | 'crashed'
  | 'timeout'
  | 'oom'
  | 'nan'
  | 'no_result'
  | 'cancelled'
  | 'infrastructure'
  | 'suspicious';

export interface Failure {
  category: FailureCategory;
  message: string;
  logTail: string;
}

/** One execution of an implementation with one seed. */
export interface Run {
  seed: number;
  state: ExperimentState;
  attempt: number;
  /** Executor handle, plain JSON, so a restarted scheduler can find the job again. */
  handle?: Record<string, unknown>;
  startedAt?: string;
  endedAt?: string;
  metric?: number;
  metrics?: Record<string, number>;
  failure?: Failure;
}

export interface RewardSummary {
  metric: { name: string; value: number; direction: Direction; std: number; seeds: number };
  reward: number;
  baseline?: { value: number; std: number; delta: number; improved: boolean };
}

export interface Experiment {
  id: string;
  schemaVersion: number;
  implementationId: string;
  ideaId: string;
  environment: string;
  profile: string;
  searchId?: string;
  state: ExperimentState;
  runs: Run[];
  result?: RewardSummary;
  failure?: Failure;
  createdAt: string;
  updatedAt: string;
}

export type SearchState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Search {
  id: string;
  schemaVersion: number;
  environment: string;
  strategy: string;
  options: Record<string, unknown>;
  state: SearchState;
  epoch: number;
  experimentIds: string[];
  error?: string;
  createdAt: string;
  updatedAt: string;
}
