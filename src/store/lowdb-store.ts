// The file Store: lowdb segment files under `<dataDir>/store/`, one writer per data directory.
import { join, resolve } from 'node:path';

import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';

import {
  type Experiment,
  type Idea,
  type Implementation,
  type LlmCall,
  type Schedule,
  type Search,
  SCHEMA_VERSION,
} from '../domain/records.js';
import type { RlEpoch, RlRollout, RlRun } from '../domain/rl-records.js';
import { type Lock, acquireLock } from './lock.js';
import { readMeta, writeMeta } from './meta.js';
import type { SegmentStorage } from './segment.js';
import type { SegmentData } from './segment-file.js';
import { type CollectionOptions, SegmentedRepository } from './segmented-repository.js';
import type { Repository, Store } from './store.js';
import { ResearchError } from '../domain/errors.js';

export interface LowdbStoreOptions {
  /** Records per segment file; a put rewrites one segment, so this bounds its cost. Default 1000. */
  segmentSize?: number;
  /** Shown to another process that finds the data directory in use. */
  command?: string;
}

export const DEFAULT_SEGMENT_SIZE = 256;

/**
 * Opens (or creates) the store in `dataDir`: takes the directory's lock, then reads and validates
 * every segment. A bad file stops the open with `store_corrupt` naming it, and nothing is written.
 */
export async function openLowdbStore(dataDir: string, options: LowdbStoreOptions = {}): Promise<Store> {
  const root = resolve(dataDir);
  const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  if (!Number.isInteger(segmentSize) || segmentSize < 1) throw new RangeError('segmentSize must be a positive integer');
  const lock = await acquireLock(root, options.command === undefined ? {} : { command: options.command });
  try {
    return await openLocked(join(root, 'store'), segmentSize, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Reads the store without taking the lock, for a second process (`search status`, `groundwork status`) while another
 * owns the data directory: a snapshot of what was on disk (segment files are replaced atomically). Writes refuse.
 */
export async function openLowdbStoreReadOnly(dataDir: string): Promise<Store> {
  const store = await openLocked(join(resolve(dataDir), 'store'), DEFAULT_SEGMENT_SIZE, undefined);
  const refuse = (): Promise<void> =>
    Promise.reject(new ResearchError('store_locked', `${dataDir} is opened read-only here; another process owns it`));
  const readOnly = <T extends { id: string }>(repository: Repository<T>): Repository<T> => ({
    get: (id) => repository.get(id),
    list: (filter) => repository.list(filter),
    view: (filter) => repository.view(filter),
    count: () => repository.count(),
    put: refuse,
  });
  return {
    ideas: readOnly(store.ideas),
    implementations: readOnly(store.implementations),
    experiments: readOnly(store.experiments),
    searches: readOnly(store.searches),
    llmCalls: readOnly(store.llmCalls),
    schedules: readOnly(store.schedules),
    rlRuns: readOnly(store.rlRuns),
    rlEpochs: readOnly(store.rlEpochs),
    rlRollouts: readOnly(store.rlRollouts),
    close: async () => undefined,
  };
}

async function openLocked(dir: string, segmentSize: number, lock: Lock | undefined): Promise<Store> {
  const metaFile = join(dir, 'meta.json');
  const meta = await readMeta(metaFile);
  const collection = (name: CollectionOptions['collection']): CollectionOptions => ({
    dir: join(dir, name),
    collection: name,
    segmentSize,
    openStorage: lowdbSegment,
  });
  const [ideas, implementations, experiments, searches, llmCalls, schedules, rlRuns, rlEpochs, rlRollouts] =
    await Promise.all([
      SegmentedRepository.open<Idea>(collection('ideas')),
      SegmentedRepository.open<Implementation>(collection('implementations')),
      SegmentedRepository.open<Experiment>(collection('experiments')),
      SegmentedRepository.open<Search>(collection('searches')),
      SegmentedRepository.open<LlmCall>(collection('llmCalls')),
      SegmentedRepository.open<Schedule>(collection('schedules')),
      SegmentedRepository.open<RlRun>(collection('rlRuns')),
      SegmentedRepository.open<RlEpoch>(collection('rlEpochs')),
      SegmentedRepository.open<RlRollout>(collection('rlRollouts')),
    ]);
  if (lock && (!meta || meta.schemaVersion < SCHEMA_VERSION)) await writeMeta(metaFile, meta);
  const repositories = [
    ideas,
    implementations,
    experiments,
    searches,
    llmCalls,
    schedules,
    rlRuns,
    rlEpochs,
    rlRollouts,
  ];
  let closing: Promise<void> | undefined;
  return {
    ideas,
    implementations,
    experiments,
    searches,
    llmCalls,
    schedules,
    rlRuns,
    rlEpochs,
    rlRollouts,
    close: () =>
      (closing ??= (async () => {
        try {
          await Promise.all(repositories.map((repository) => repository.close()));
        } finally {
          await lock?.release();
        }
      })()),
  };
}

/** One segment file as a lowdb database: compact JSON, atomic writes (temp file + rename, via steno). */
function lowdbSegment<T>(file: string): SegmentStorage<T> {
  const adapter = new DataFile<SegmentData<T>>(file, {
    parse: (text) => JSON.parse(text) as SegmentData<T>,
    stringify: (data) => JSON.stringify(data),
  });
  let db: Low<SegmentData<T>> | undefined;
  return {
    read: () => adapter.read(),
    write: async (data) => {
      db ??= new Low(adapter, data);
      db.data = data;
      await db.write();
    },
  };
}
