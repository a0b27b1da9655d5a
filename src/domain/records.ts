// The persisted records: ideas, implementations, experiments, searches, LLM calls. Small, versioned, JSON.
import type { PersistedJob } from './job-handle.js';
import type { Direction } from './metric.js';
import type {
  AttemptOutcome,
  EditFailureCategory,
  ExperimentRole,
  ExperimentState,
  FailureCategory,
  ScheduleState,
  SearchState,
} from './states.js';

export type { AttemptOutcome, ExperimentRole, ExperimentState, FailureCategory, SearchState } from './states.js';

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
  /** `control`: proposed for a search's control arm (best-of-n), not as one of its candidates. */
  arm?: 'control';
  createdAt: string;
}

/** One answer of the implementer's sample chains (src/implementer/sample-chains.ts), as stored. */
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
  /** See AttemptOutcome; when `failed`, `error` says why. */
  outcome?: AttemptOutcome;
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
  /** sha256 (hex) of the canonical diff: equal edits have equal hashes (missing on records written before it). */
  diffHash?: string;
  filesChanged: string[];
  /** New content of each changed file, as an artifact path relative to the data directory; null = deleted. */
  changes: { path: string; artifact: string | null }[];
  /**
   * sha256 (hex) of the canonical diff and of each changed file's stored content (null: deleted), recorded when it
   * was stored: every run checks the artifacts against it first. Missing on records written before it existed.
   */
  integrity?: { diff: string; files: Record<string, string | null> };
  attempts: EditAttempt[];
  error?: { category: EditFailureCategory; message: string };
  createdAt: string;
}

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
  /** The job of the step running now, plain JSON, so a restarted scheduler can find it again and carry on. */
  handle?: PersistedJob;
  startedAt?: string;
  endedAt?: string;
  metric?: number;
  metrics?: Record<string, number>;
  /** The training curve the run's result reported: `[step, value]` points, in order. */
  curve?: [number, number][];
  failure?: Failure;
}

/** An experiment's outcome over its succeeded seeds, computed once when it ends (reward/experiment-result.ts). */
export interface RewardSummary {
  /** `selfReported`: the value was printed by the code being edited, not measured by a frozen harness. */
  metric: { name: string; value: number; direction: Direction; std: number; seeds: number; selfReported?: boolean };
  /** Higher is better, whatever the metric's direction (the manifest's reward rule applied to the mean). */
  reward: number;
  /**
   * The environment's baseline, present only when it was measured with the experiment's profile. `improved`: better
   * than the baseline mean. `beyondNoise`: by more than twice the baseline's seed spread, so not explained by seed
   * noise alone. `profile` is missing from records written before it was stored.
   */
  baseline?: BaselineComparison;
  /**
   * Set when the environment's baseline varies with the seed (std > 0) but this experiment's seeds gave identical
   * metrics: the code ignores `GROUNDWORK_SEED`, so its spread is fake.
   */
  seedInsensitive?: true;
  /** false: an integrity flag (`seedInsensitive`) means the result may not be certified; absent: nothing against it. */
  certifiable?: false;
}

export interface BaselineComparison {
  value: number;
  std: number;
  delta: number;
  improved: boolean;
  beyondNoise: boolean;
  /** The profile the baseline was measured with. */
  profile?: string;
}

export interface Experiment {
  id: string;
  schemaVersion: number;
  implementationId: string;
  ideaId: string;
  environment: string;
  profile: string;
  searchId?: string;
  /** Why its search ran it; a candidate idea has at most one `candidate` experiment (its id is derived from the idea's). */
  role?: ExperimentRole;
  state: ExperimentState;
  /** The smoke pre-flight: its job handle while it runs, and whether it passed (not re-run after a restart). */
  preflight?: { passed: boolean; handle?: PersistedJob };
  runs: Run[];
  /** GPU ids the scheduler gave this experiment while it runs (kept so a restarted daemon re-attaches with them). */
  devices?: string[];
  /** `off` when its jobs ran without the local executor's sandbox (bubblewrap), so its result may be gamed. */
  sandbox?: 'off';
  result?: RewardSummary;
  failure?: Failure;
  createdAt: string;
  updatedAt: string;
}

export interface Search {
  id: string;
  schemaVersion: number;
  environment: string;
  strategy: string;
  options: Record<string, unknown>;
  state: SearchState;
  epoch: number;
  /** Steady mode: finished candidates ÷ batch size; epochs mode: the epoch. */
  generation?: number;
  experimentIds: string[];
  /** Ideas refused as near-duplicates: idea id → the idea it duplicates (kept, so a resume never re-decides). */
  duplicates?: Record<string, string>;
  /** Ideas whose edit was already run: idea id → the experiment whose result was reused instead of running again. */
  reused?: Record<string, string>;
  error?: string;
  /**
   * Why a search that ended well stopped early (it is not a failure); `budget` names the budget that ran out.
   * `ideas_exhausted`: the ideator kept proposing duplicates of ideas already tried.
   */
  stopped?: {
    reason: 'budget_exhausted' | 'ideas_exhausted';
    message: string;
    budget?: 'ideas' | 'usd' | 'gpu_hours' | 'wall_clock';
  };
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
  state: ScheduleState;
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
