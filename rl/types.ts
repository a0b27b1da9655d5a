// The seams of the RL loop: the policy that samples, the evaluator that scores an idea, the trainer that learns.
import type { RlRollout } from '../src/domain/rl-records.js';

/** A past rollout shown in a dynamic prompt: its idea and what it scored. */
export interface PastResult {
  title: string;
  text: string;
  reward: number;
  executed: boolean;
}

/** What a policy is asked: the rendered messages, plus the past results they show (structured, for the simulation). */
export interface PolicyPrompt {
  system: string;
  user: string;
  context: PastResult[];
}

/** One answer of the policy. */
export interface PolicySample {
  /** The whole completion as the model wrote it, thinking included (what a trainer trains on). */
  completion: string;
  /** The answer without its thinking (where the idea is read from). */
  answer: string;
  thinkingTokens: number;
  completionTokens: number;
  meta?: Record<string, unknown>;
}

/** The model being trained, as groundwork sees it: it answers prompts. */
export interface Policy {
  readonly kind: string;
  /** One sample for `prompt` from the policy named `model` (the endpoint's current model name). */
  sample(prompt: PolicyPrompt, model: string, signal?: AbortSignal): Promise<PolicySample>;
}

export interface Evaluation {
  executed: boolean;
  /** 0 on any failure. */
  reward: number;
  failure?: { category: string; message: string };
}

/**
 * Scores a rollout's idea. `save` persists what the evaluator has done so far (idea, implementation,
 * experiment ids), so a resumed run continues the same work instead of starting it again.
 */
export interface IdeaEvaluator {
  evaluate(
    rollout: RlRollout,
    save: (patch: Partial<RlRollout>) => Promise<RlRollout>,
    signal?: AbortSignal,
  ): Promise<Evaluation>;
}

/** One line of a training batch: the export trainer's JSONL line, and what every trainer receives. */
export interface BatchLine {
  prompt: { system: string; user: string };
  completion: string;
  idea: string | null;
  reward: number;
  advantage: number;
  group: number;
  policy_version: number;
}

export interface TrainingBatch {
  runId: string;
  epoch: number;
  policyVersion: number;
  model: string;
  prompts: PolicyPrompt[];
  lines: BatchLine[];
  /** The stored rollouts, in the same order as `lines` (for in-process trainers that need the policy's meta). */
  rollouts: RlRollout[];
}

export interface TrainedPolicy {
  policyVersion: number;
  /** The name the endpoint serves the new policy under. */
  model: string;
}

/** Updates the policy from one epoch's batch and says which model now serves it. */
export interface Trainer {
  readonly kind: string;
  train(batch: TrainingBatch, signal?: AbortSignal): Promise<TrainedPolicy>;
}

/** Where bulky texts (completions, prompts) go: artifacts under the data directory, or memory for a simulation. */
export interface Blobs {
  write(runId: string, name: string, text: string): Promise<string>;
  read(ref: string): Promise<string>;
}
