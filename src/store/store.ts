// The Store seam: small repositories of JSON records. Bulky artifacts live as files (see artifacts).
import type { Experiment, Idea, Implementation, LlmCall, Schedule, Search } from '../domain/records.js';
import type { RlEpoch, RlRollout, RlRun } from '../domain/rl-records.js';

/** A collection of records keyed by `id`. `put` inserts or replaces; it is durable when it resolves. */
export interface Repository<T extends { id: string }> {
  get(id: string): Promise<T | undefined>;
  /** Records in insertion order, optionally filtered. The filter sees stored records: it must not change them. */
  list(filter?: (record: T) => boolean): Promise<T[]>;
  /**
   * Like list, without the copies: the stored records themselves, deeply frozen (changing one throws). For reads
   * that change nothing, such as reports over thousands of records; a later put replaces a record, never edits it.
   */
  view(filter?: (record: T) => boolean): Promise<readonly T[]>;
  put(record: T): Promise<void>;
  count(): Promise<number>;
}

export interface Store {
  readonly ideas: Repository<Idea>;
  readonly implementations: Repository<Implementation>;
  readonly experiments: Repository<Experiment>;
  readonly searches: Repository<Search>;
  /** The cost ledger: one record per model request. */
  readonly llmCalls: Repository<LlmCall>;
  readonly schedules: Repository<Schedule>;
  /** RL on the ideator (rl/): runs, their epochs and every rollout. */
  readonly rlRuns: Repository<RlRun>;
  readonly rlEpochs: Repository<RlEpoch>;
  readonly rlRollouts: Repository<RlRollout>;
  /** Flushes pending writes and releases the data directory. */
  close(): Promise<void>;
}

export const COLLECTIONS = [
  'ideas',
  'implementations',
  'experiments',
  'searches',
  'llmCalls',
  'schedules',
  'rlRuns',
  'rlEpochs',
  'rlRollouts',
] as const;
export type CollectionName = (typeof COLLECTIONS)[number];
