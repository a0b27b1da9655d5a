// Benchmark: the cost of one more experiment put, which must not grow with the number already stored.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { SCHEMA_VERSION } from '../../src/domain/records.js';
import { DEFAULT_SEGMENT_SIZE, openLowdbStore } from '../../src/store/lowdb-store.js';
import { segmentFileName } from '../../src/store/segment-file.js';
import { makeExperiment } from '../fixtures/store/records.js';

export interface StoreWriteBench {
  /** Median time of one `experiments.put` of a new record into a store holding `n`. */
  medianMs: number;
  /** Time to open (read and validate) the store holding `n` experiments. */
  openMs: number;
}

const WARM_UP = 5;

const experimentId = (i: number): string => `exp_${String(i).padStart(12, '0')}`;

/**
 * Fills a fresh store with `n` ~1 KB experiments, then times `samples` sequential puts of new ones (after a
 * few untimed ones). A put rewrites only the last segment, so its cost depends on how full that segment is
 * (0 to DEFAULT_SEGMENT_SIZE records), never on `n`. The default sample count is one whole segment cycle, so
 * the median is taken over every fill level rather than the cheap start of a fresh segment.
 */
export async function benchStoreWrite(n: number, samples: number = DEFAULT_SEGMENT_SIZE): Promise<StoreWriteBench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-bench-store-'));
  try {
    await fillSegments(dataDir, n);
    const opened = performance.now();
    const store = await openLowdbStore(dataDir);
    const openMs = performance.now() - opened;
    for (let i = 0; i < WARM_UP; i++) await store.experiments.put(makeExperiment(experimentId(n + samples + i)));
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const record = makeExperiment(experimentId(n + i), 1 + i / samples);
      const start = performance.now();
      await store.experiments.put(record);
      times.push(performance.now() - start);
    }
    await store.close();
    times.sort((a, b) => a - b);
    const mid = Math.floor(times.length / 2);
    const medianMs =
      times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
    return { medianMs, openMs };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Writes the segment files directly, in the store's own format: quicker than `n` puts. */
async function fillSegments(dataDir: string, n: number): Promise<void> {
  const dir = join(dataDir, 'store', 'experiments');
  await mkdir(dir, { recursive: true });
  const meta = { schemaVersion: SCHEMA_VERSION, createdAt: new Date().toISOString() };
  await writeFile(join(dataDir, 'store', 'meta.json'), JSON.stringify(meta));
  for (let first = 0, index = 0; first < n; first += DEFAULT_SEGMENT_SIZE, index++) {
    const count = Math.min(DEFAULT_SEGMENT_SIZE, n - first);
    const records = Array.from({ length: count }, (_, i) => makeExperiment(experimentId(first + i)));
    const data = { schemaVersion: SCHEMA_VERSION, collection: 'experiments', records };
    await writeFile(join(dir, segmentFileName(index)), JSON.stringify(data));
  }
}
