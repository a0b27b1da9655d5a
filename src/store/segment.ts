// One segment file of a collection: its records in memory and batched, serialised whole-file writes.
import { SCHEMA_VERSION } from '../domain/records.js';
import { errnoCode, toWriteError } from './fs-errors.js';
import { migrateRecords } from './migrations.js';
import { type SegmentData, validateSegment } from './segment-file.js';
import type { CollectionName } from './store.js';
import { corruptError } from './store-errors.js';

/** Reads and writes one segment file as a whole; lowdb in production (see lowdb-store.ts). */
export interface SegmentStorage<T> {
  /** The parsed file, or null when it does not exist. Throws SyntaxError on bad JSON. */
  read(): Promise<SegmentData<T> | null>;
  /** Replaces the file atomically; resolves once it is on disk. */
  write(data: SegmentData<T>): Promise<void>;
}

export type OpenSegmentStorage = <T>(file: string) => SegmentStorage<T>;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * `records` is what the file holds. A put waits in `pending`; one write at a time takes every pending
 * record, writes the whole segment, and only then makes them visible and resolves their puts. A failed
 * write rejects its puts and leaves `records` (and the file) as they were.
 */
export class Segment<T extends { id: string }> {
  readonly file: string;
  readonly collection: CollectionName;
  /** Ids routed to this segment, stored or pending: the measure of fullness. */
  assigned: number;
  #records: Map<string, T>;
  #storage: SegmentStorage<T>;
  #pending = new Map<string, T>();
  #waiters: Waiter[] = [];
  #running = false;
  #draining: Promise<void> = Promise.resolve();

  constructor(file: string, collection: CollectionName, storage: SegmentStorage<T>, records: T[] = []) {
    this.file = file;
    this.collection = collection;
    this.#records = new Map(records.map((record) => [record.id, record]));
    this.assigned = this.#records.size;
    this.#storage = storage;
  }

  /** Reads and validates an existing segment file; never writes it. */
  static async load<T extends { id: string }>(
    file: string,
    collection: CollectionName,
    openStorage: OpenSegmentStorage,
  ): Promise<Segment<T>> {
    const storage = openStorage<T>(file);
    let raw: unknown;
    try {
      raw = await storage.read();
    } catch (error) {
      const problem =
        error instanceof SyntaxError
          ? `not JSON: ${error.message}`
          : `unreadable (${errnoCode(error) ?? String(error)})`;
      throw corruptError(file, problem, error);
    }
    if (raw === null) throw corruptError(file, 'it disappeared while being read');
    const data = validateSegment<T>(file, collection, raw);
    const records = migrateRecords(collection, data.records as (T & Record<string, unknown>)[], data.schemaVersion);
    const segment = new Segment<T>(file, collection, storage, records);
    if (segment.size !== records.length) throw corruptError(file, 'it holds the same record id twice');
    return segment;
  }

  get size(): number {
    return this.#records.size;
  }

  get(id: string): T | undefined {
    return this.#records.get(id);
  }

  values(): IterableIterator<T> {
    return this.#records.values();
  }

  /** Resolves once a write holding `record` is on disk. */
  write(record: T): Promise<void> {
    this.#pending.set(record.id, record);
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#running) {
      this.#running = true;
      this.#draining = this.#drain();
    }
    return done;
  }

  /** Resolves when no write is pending or in flight. */
  async idle(): Promise<void> {
    while (this.#running) await this.#draining;
  }

  /** Writes batches until nothing is pending; `#running` drops in the same tick as the last check. */
  async #drain(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = this.#pending;
      const waiters = this.#waiters;
      this.#pending = new Map();
      this.#waiters = [];
      const next = new Map(this.#records);
      for (const [id, record] of batch) next.set(id, record);
      try {
        await this.#storage.write({
          schemaVersion: SCHEMA_VERSION,
          collection: this.collection,
          records: [...next.values()],
        });
        this.#records = next;
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        const failure = toWriteError(this.file, error);
        for (const waiter of waiters) waiter.reject(failure);
      }
    }
    this.#running = false;
  }
}
