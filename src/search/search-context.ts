// The strategy seam: the SearchStrategy contract and the narrow SearchContext port it drives. Types only.
import type { z } from 'zod';

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

export interface SearchOutcome {
  best?: Evaluation;
  evaluated: number;
}

/** run_search's common settings, in the strategy-neutral terms a caller uses. */
export interface StrategySettings {
  epochs?: number;
  batchSize?: number;
  /** Most experiments to run. */
  budget?: number;
}

/** What a strategy sees when steady mode asks it for the next idea. */
export interface PlanView {
  /** Finished candidates ÷ batch size. */
  readonly generation: number;
  /** Finished candidates, in the order they ended. */
  readonly population: readonly Evaluation[];
  readonly baseline?: number;
  readonly random: Random;
  /** Ideas planned in this generation so far, and how many of them exploit. */
  readonly planned: number;
  readonly exploited: number;
}

/** The next single idea to propose in steady mode. */
export interface IdeaPlan {
  kind: PromptKind;
  parents?: readonly Evaluation[];
}

/** An algorithm that drives a SearchContext; strategies/ implements it, and the search runner is given them. */
export interface SearchStrategy<Options = unknown> {
  readonly name: string;
  readonly description: string;
  readonly options: z.ZodType<Options>;
  /**
   * The common settings as this strategy's options, merged over `options` (the caller's own, by name); throws
   * bad_input for settings it cannot honour. Its defaults stay with the strategy.
   */
  fromSettings(settings: StrategySettings, options: Record<string, unknown>): Record<string, unknown>;
  run(context: SearchContext, options: Options): Promise<SearchOutcome>;
  /**
   * Steady mode (ideas prepared while experiments run): the next idea, one at a time. Without it a search of this
   * strategy runs in epochs mode.
   */
  plan?(view: PlanView, options: Options): IdeaPlan;
  /** Steady mode: how many candidates in all, and per generation. */
  size?(options: Options): { total: number; batchSize: number };
}
