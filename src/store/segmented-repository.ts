// A Repository over one collection folder of segment files: appends go to the last segment only.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import { rethrowIfUnwritable } from './fs-errors.js';
import { copyRecord, deepFreeze, snapshotRecord } from './record-copy.js';
import { type OpenSegmentStorage, Segment } from './segment.js';
import { segmentFileName, segmentIndex } from './segment-file.js';
import type { CollectionName, Repository } from './store.js';
import { corruptError } from './store-errors.js';

export interface CollectionOptions {
  /** The collection's folder of segment files. */
  dir: string;
  collection: CollectionName;
  /** Records per segment: a put rewrites one segment, so this bounds its cost. */
  segmentSize: number;
  openStorage: OpenSegmentStorage;
}

/**
 * Records live in memory for reads; each put rewrites just the segment that holds the id (at most
 * `segmentSize` records), so the cost of a put does not grow with the size of the collection.
 */
export class SegmentedRepository<T extends { id: string }> implements Repository<T> {
  readonly #options: CollectionOptions;
  readonly #segments: Segment<T>[];
  readonly #index = new Map<string, Segment<T>>();
  #nextNumber: number;
  #closed = false;

  private constructor(options: CollectionOptions, segments: Segment<T>[], nextNumber: number) {
    this.#options = options;
    this.#segments = segments;
    this.#nextNumber = nextNumber;
    for (const segment of segments) {
      for (const record of segment.values()) {
        const other = this.#index.get(record.id);
        if (other) throw corruptError(segment.file, `record ${record.id} is also in ${other.file}`);
        this.#index.set(record.id, segment);
      }
    }
  }

  /** Loads every segment in the folder (creating it if needed); throws on any bad file, writes none. */
  static async open<T extends { id: string }>(options: CollectionOptions): Promise<SegmentedRepository<T>> {
    const { dir, collection, openStorage } = options;
    await mkdir(dir, { recursive: true }).catch((error: unknown) => rethrowIfUnwritable(dir, error));
    const numbers = (await readdir(dir))
      .map(segmentIndex)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    const segments: Segment<T>[] = [];
    // One at a time: peak memory stays at one segment's text, and it is no slower than in parallel.
    for (const n of numbers) {
      segments.push(await Segment.load<T>(join(dir, segmentFileName(n)), collection, openStorage));
    }
    const next = numbers.length > 0 ? (numbers[numbers.length - 1] as number) + 1 : 0;
    return new SegmentedRepository(options, segments, next);
  }

  async get(id: string): Promise<T | undefined> {
    const record = this.#index.get(id)?.get(id);
    return record === undefined ? undefined : copyRecord(record);
  }

  /** The filter sees the stored record, frozen so it cannot change it; only matches are copied. */
  async list(filter?: (record: T) => boolean): Promise<T[]> {
    const out: T[] = [];
    for (const segment of this.#segments) {
      for (const record of segment.values()) {
        if (!filter || filter(deepFreeze(record))) out.push(copyRecord(record));
      }
    }
    return out;
  }

  /** The stored records themselves, frozen (records read from a segment file are frozen on their first read). */
  async view(filter?: (record: T) => boolean): Promise<readonly T[]> {
    const out: T[] = [];
    for (const segment of this.#segments) {
      for (const record of segment.values()) {
        const frozen = deepFreeze(record);
        if (!filter || filter(frozen)) out.push(frozen);
      }
    }
    return out;
  }

  async count(): Promise<number> {
    let total = 0;
    for (const segment of this.#segments) total += segment.size;
    return total;
  }

  async put(record: T): Promise<void> {
    const { collection } = this.#options;
    if (this.#closed) throw new ResearchError('internal', `the store is closed; cannot put a ${collection} record`);
    if (typeof record?.id !== 'string' || record.id === '') {
      throw new ResearchError('bad_input', `a ${collection} record needs a non-empty string id`);
    }
    const stored = snapshotRecord(record);
    let segment = this.#index.get(stored.id);
    if (!segment) {
      segment = this.#tail();
      segment.assigned += 1;
      this.#index.set(stored.id, segment);
    }
    await segment.write(stored);
  }

  /** Waits for in-flight writes and refuses further puts. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#segments.map((segment) => segment.idle()));
  }

  #tail(): Segment<T> {
    const last = this.#segments[this.#segments.length - 1];
    if (last && last.assigned < this.#options.segmentSize) return last;
    const { dir, collection, openStorage } = this.#options;
    const file = join(dir, segmentFileName(this.#nextNumber));
    const segment = new Segment<T>(file, collection, openStorage<T>(file));
    this.#nextNumber += 1;
    this.#segments.push(segment);
    return segment;
  }
}
