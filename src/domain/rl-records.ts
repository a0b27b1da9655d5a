// The persisted records of RL on the ideator (rl/): a run, its epochs with their metrics, and each rollout.

/** running: a process is working on it (or was, until it was killed: `rl resume` carries on); stopped: interrupted cleanly. */
export type RlRunState = 'running' | 'succeeded' | 'failed' | 'stopped';

/** Where an epoch stands; a resumed run carries on from the first stage not done. */
export type RlEpochState = 'sampling' | 'executing' | 'training' | 'done';

/** sampled: the policy answered; then the idea is implemented and run; scored: it has its reward. */
export type RlRolloutState = 'sampled' | 'scored';

export interface RlRunOptions {
  groupSize: number;
  /** Groups (prompts) per epoch; the paper used one. */
  groups: number;
  epochs: number;
  profile: string;
  seed: number;
  /** Mitigation names (rl/mitigations.ts). */
  mitigations: string[];
  /** `endpoint` (an OpenAI-compatible server) or `simulated`. */
  policy: { kind: string; model: string; url?: string; maxTokens?: number; temperature?: number };
  /** `export`, `python` or `simulated`, with what that trainer needs (its folder, the base model, …). */
  trainer: { kind: string; dir?: string; settings?: Record<string, unknown> };
}

export interface RlRun {
  id: string;
  schemaVersion: number;
  environment: string;
  options: RlRunOptions;
  state: RlRunState;
  /** Epochs finished. */
  epoch: number;
  /** Version of the policy the endpoint serves now (0 = the starting model). */
  policyVersion: number;
  /** The model name to ask the endpoint for (changes when a trainer announces a new one). */
  model: string;
  error?: string;
  createdAt: string;
  updatedAt: string;
}

/** What `rl status` and the follow tool show per epoch (see rl/metrics.ts for the definitions). */
export interface RlMetrics {
  rollouts: number;
  meanReward: number;
  maxReward: number;
  /** Mean of the rewards the advantages were computed from (after mitigations). */
  meanShapedReward: number;
  executionRate: number;
  duplicateShare: number;
  distinctIdeas: number;
  meanJaccard: number;
  thinkingTokens: number;
  ideaTokens: number;
  topIdeaShare: number;
  /** The title of the most common idea (its cluster's first member). */
  topIdea?: string;
}

export interface RlEpoch {
  /** `<runId>.e<epoch>` */
  id: string;
  schemaVersion: number;
  runId: string;
  epoch: number;
  state: RlEpochState;
  /** The policy that sampled this epoch. */
  policyVersion: number;
  model: string;
  /** One prompt per group, as blob references (JSON of the PolicyPrompt). */
  prompts: string[];
  metrics?: RlMetrics;
  /** What the trainer announced after this epoch. */
  next?: { policyVersion: number; model: string };
  createdAt: string;
  updatedAt: string;
}

export interface RlRollout {
  /** `<runId>.e<epoch>.g<group>.r<index>` */
  id: string;
  schemaVersion: number;
  runId: string;
  epoch: number;
  group: number;
  index: number;
  policyVersion: number;
  state: RlRolloutState;
  /** Blob reference of the whole completion (thinking included). */
  completion: string;
  thinkingTokens: number;
  completionTokens: number;
  /** The idea read out of the completion; absent when there was none. */
  idea?: { title: string; text: string; tokens: number };
  /** Policy-specific facts about the sample (finish reason; the simulated policy's action). */
  meta?: Record<string, unknown>;
  ideaId?: string;
  implementationId?: string;
  experimentId?: string;
  executed?: boolean;
  /** Execution reward: the experiment's reward, 0 on any failure (as in the paper). */
  reward?: number;
  /** The reward after mitigations (length reward, diversity penalty, …), which the advantages use. */
  shapedReward?: number;
  advantage?: number;
  failure?: { category: string; message: string };
  createdAt: string;
  updatedAt: string;
}
