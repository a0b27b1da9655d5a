// The persisted records: ideas, implementations, experiments, searches, LLM calls. Small, versioned, JSON.
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
  /** Which parallel sample chain (0-based) and which revision within it (0 = first answer). */
  chain?: number;
  revision?: number;
  model?: string;
  /** The ledger entry (`llmCalls`) of the call that wrote this attempt. */
  callId?: string;
  /**
   * passed: applied and passed pre-flight, and won; failed: refused or failed pre-flight (see `error`);
   * api_error: the model call itself failed; abandoned: passed, but another chain had already won.
   */
  outcome?: 'passed' | 'failed' | 'api_error' | 'abandoned';
}

export type ImplementationStatus = 'ready' | 'failed';

export interface Implementation {
  id: string;
  schemaVersion: number;
  ideaId: string;
  environment: string;
  implementer: string;
  /** Model of the implementer (of the winning attempt when one passed). */
  model?: string;
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
  /**
   * `improved`: better than the baseline mean. `beyondNoise`: by more than twice the baseline's seed spread,
   * so not explained by seed noise alone.
   */
  baseline?: { value: number; std: number; delta: number; improved: boolean; beyondNoise: boolean };
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
  /** The smoke pre-flight: its job handle while it runs, and whether it passed (not re-run after a restart). */
  preflight?: { passed: boolean; handle?: Record<string, unknown> };
  runs: Run[];
  /** GPU ids the scheduler gave this experiment while it runs (kept so a restarted daemon re-attaches with them). */
  devices?: string[];
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
  /** Why a search that ended well stopped early (it is not a failure). */
  stopped?: { reason: 'budget_exhausted'; message: string };
  createdAt: string;
  updatedAt: string;
}

/**
 * A recurring search: every tick (cron or interval) starts a new search with the same settings, unless the
 * previous one is still running. Kept in the store, so a restarted daemon picks its schedules up again.
 */
export interface Schedule {
  id: string;
  schemaVersion: number;
  /** Cron expression (`0 3 * * *`) or interval (`6h`, `every 30 minutes`). */
  schedule: string;
  environment: string;
  strategy: string;
  options: Record<string, unknown>;
  profile?: string;
  seed?: number;
  state: 'active' | 'cancelled';
  searchIds: string[];
  lastTickAt?: string;
  createdAt: string;
  updatedAt: string;
}

export type LlmRole = 'ideator' | 'implementer';

/** One request to a model provider, for the cost ledger. Never holds prompts, answers or secrets. */
export interface LlmCall {
  id: string;
  schemaVersion: number;
  provider: string;
  model: string;
  role: LlmRole;
  searchId?: string;
  ideaId?: string;
  implementationId?: string;
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (included in inputTokens). */
  cachedInputTokens: number;
  latencyMs: number;
  costUsd: number;
  /** false: the model is not in the price table, so costUsd is 0. */
  priced: boolean;
  outcome: 'ok' | 'error';
  error?: { code: string; message: string; status?: number };
  stopReason?: string;
  createdAt: string;
}
