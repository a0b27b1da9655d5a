// The narrow port a search strategy sees: propose, evaluate, look at the population. Types only.
import type { Direction } from '../domain/metric.js';
import type { Experiment, FailureCategory, Idea, PromptKind } from '../domain/records.js';
import type { Logger } from '../util/logger.js';
import type { Random } from '../util/random.js';

/** An idea and what became of it. `reward` is set only when its experiment succeeded. */
export interface Evaluation {
  idea: Idea;
  implementationId?: string;
  experiment?: Experiment;
  metric?: number;
  reward?: number;
  failure?: { category: FailureCategory; message: string };
}

export interface SearchContext {
  readonly searchId: string;
  readonly environment: { name: string; metric: { name: string; direction: Direction }; baseline?: number };
  readonly random: Random;
  readonly signal: AbortSignal;
  readonly log: Logger;
  propose(request: {
    kind: PromptKind;
    count: number;
    parents?: readonly Evaluation[];
    epoch: number;
  }): Promise<Idea[]>;
  /** Implements and runs every idea, and resolves when all have ended. */
  evaluate(ideas: readonly Idea[], epoch: number): Promise<Evaluation[]>;
  /** Every evaluation of this search so far. */
  population(): readonly Evaluation[];
  /** Records progress (current epoch) in the store. */
  setEpoch(epoch: number): Promise<void>;
}
