// The in-memory Store: same behaviour as the file store, nothing on disk. For tests and dry runs.
import { ResearchError } from '../domain/errors.js';
import type { Experiment, Idea, Implementation, LlmCall, Schedule, Search } from '../domain/records.js';
import type { RlEpoch, RlRollout, RlRun } from '../domain/rl-records.js';
import { copyRecord, snapshotRecord } from './record-copy.js';
import type { Repository, Store } from './store.js';

class MemoryRepository<T extends { id: string }> implements Repository<T> {
  readonly #records = new Map<string, T>();
  readonly #collection: string;

  constructor(collection: string) {
    this.#collection = collection;
  }

  async get(id: string): Promise<T | undefined> {
    const record = this.#records.get(id);
    return record === undefined ? undefined : copyRecord(record);
  }

  /** The filter sees the stored record, frozen so it cannot change it; only matches are copied. */
  async list(filter?: (record: T) => boolean): Promise<T[]> {
    const out: T[] = [];
    for (const record of this.#records.values()) {
      if (!filter || filter(record)) out.push(copyRecord(record));
    }
    return out;
  }

  /** The stored records themselves: snapshots, frozen when they were put. */
  async view(filter?: (record: T) => boolean): Promise<readonly T[]> {
    const out: T[] = [];
    for (const record of this.#records.values()) if (!filter || filter(record)) out.push(record);
    return out;
  }

  async put(record: T): Promise<void> {
    if (typeof record?.id !== 'string' || record.id === '') {
      throw new ResearchError('bad_input', `a ${this.#collection} record needs a non-empty string id`);
    }
    this.#records.set(record.id, snapshotRecord(record));
  }

  async count(): Promise<number> {
    return this.#records.size;
  }
}

export function createMemoryStore(): Store {
  return {
    ideas: new MemoryRepository<Idea>('ideas'),
    implementations: new MemoryRepository<Implementation>('implementations'),
    experiments: new MemoryRepository<Experiment>('experiments'),
    searches: new MemoryRepository<Search>('searches'),
    llmCalls: new MemoryRepository<LlmCall>('llmCalls'),
    schedules: new MemoryRepository<Schedule>('schedules'),
    rlRuns: new MemoryRepository<RlRun>('rlRuns'),
    rlEpochs: new MemoryRepository<RlEpoch>('rlEpochs'),
    rlRollouts: new MemoryRepository<RlRollout>('rlRollouts'),
    close: async () => {},
  };
}
