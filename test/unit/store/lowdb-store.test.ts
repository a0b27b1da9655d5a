// The lowdb store's files: segments, meta, corrupt and too-new files, failed writes, nothing lost.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { SCHEMA_VERSION } from '../../../src/domain/records.js';
import { openLowdbStore } from '../../../src/store/lowdb-store.js';
import { makeExperiment, makeIdea } from '../../fixtures/store/records.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-lowdb-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const segment = (collection: string, n: number): string =>
  join(dir, 'store', collection, `${String(n).padStart(6, '0')}.json`);

async function rejection(promise: Promise<unknown>): Promise<ResearchError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ResearchError);
  return error as ResearchError;
}

async function seed(count: number, segmentSize = 3): Promise<void> {
  const store = await openLowdbStore(dir, { segmentSize });
  for (let i = 0; i < count; i++) await store.experiments.put(makeExperiment(`exp_${i}`));
  await store.close();
}

describe('lowdb store files', () => {
  it('writes meta.json and compact segments of at most segmentSize records', async () => {
    await seed(7);
    const meta = JSON.parse(await readFile(join(dir, 'store', 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ schemaVersion: SCHEMA_VERSION, createdAt: expect.any(String) });
    expect((await readdir(join(dir, 'store', 'experiments'))).sort()).toEqual([
      '000000.json',
      '000001.json',
      '000002.json',
    ]);
    const text = await readFile(segment('experiments', 1), 'utf8');
    expect(text).not.toContain('\n');
    const data = JSON.parse(text);
    expect(data).toMatchObject({ schemaVersion: SCHEMA_VERSION, collection: 'experiments' });
    expect(data.records.map((r: { id: string }) => r.id)).toEqual(['exp_3', 'exp_4', 'exp_5']);
  });

  it('rewrites only the segment that holds an updated record', async () => {
    await seed(7);
    const before = await Promise.all([0, 1, 2].map((n) => readFile(segment('experiments', n), 'utf8')));
    const store = await openLowdbStore(dir, { segmentSize: 3 });
    await store.experiments.put(makeExperiment('exp_4', 7));
    await store.close();
    const after = await Promise.all([0, 1, 2].map((n) => readFile(segment('experiments', n), 'utf8')));
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBe(before[2]);
  });

  it('keeps stored records when a write fails, and recovers once writing works', async () => {
    await seed(2);
    const store = await openLowdbStore(dir, { segmentSize: 3 });
    const blocker = join(dir, 'store', 'experiments', '.000000.json.tmp');
    await mkdir(blocker); // lowdb's temporary file cannot be written while this is a directory
    const bytes = await readFile(segment('experiments', 0), 'utf8');
    await expect(store.experiments.put(makeExperiment('exp_0', 5))).rejects.toThrow();
    await expect(store.experiments.put(makeExperiment('exp_new'))).rejects.toThrow();
    expect(await readFile(segment('experiments', 0), 'utf8')).toBe(bytes);
    expect((await store.experiments.get('exp_0'))?.result?.reward).toBe(1);
    expect(await store.experiments.get('exp_new')).toBeUndefined();
    expect(await store.experiments.count()).toBe(2);
    await rm(blocker, { recursive: true });
    await store.experiments.put(makeExperiment('exp_new'));
    await store.close();
    const reopened = await openLowdbStore(dir, { segmentSize: 3 });
    expect((await reopened.experiments.list()).map((e) => e.id)).toEqual(['exp_0', 'exp_1', 'exp_new']);
    await reopened.close();
  });

  it('waits for pending writes on close and refuses puts afterwards', async () => {
    const store = await openLowdbStore(dir);
    const puts = Array.from({ length: 50 }, (_, i) => store.ideas.put(makeIdea(`idea_${i}`)));
    await store.close();
    await Promise.all(puts);
    await expect(store.ideas.put(makeIdea('late'))).rejects.toThrow(/closed/);
    const reopened = await openLowdbStore(dir);
    expect(await reopened.ideas.count()).toBe(50);
    await reopened.close();
  });
});

describe('lowdb store refuses damaged or newer files, and never writes them', () => {
  const cases: Array<[string, (text: string) => string, RegExp]> = [
    ['garbage', () => 'this is not json', /not JSON/],
    ['a truncated file', (text) => text.slice(0, Math.floor(text.length / 2)), /not JSON/],
    ['an empty file', () => '', /not JSON/],
    ['the wrong shape', () => JSON.stringify({ schemaVersion: 1, records: {} }), /unexpected shape/],
    ['another collection', (text) => text.replace('"experiments"', '"ideas"'), /holds "ideas" records/],
  ];
  for (const [what, damage, problem] of cases) {
    it(`stops on ${what}, naming the file`, async () => {
      await seed(7);
      const file = segment('experiments', 1);
      const damaged = damage(await readFile(file, 'utf8'));
      await writeFile(file, damaged);
      const error = await rejection(openLowdbStore(dir, { segmentSize: 3 }));
      expect(error.code).toBe('store_corrupt');
      expect(error.message).toContain(file);
      expect(error.message).toMatch(problem);
      expect(error.message).toContain('never overwrites');
      expect(await readFile(file, 'utf8')).toBe(damaged);
      // the failed open released the lock: fixing the file lets the store open
      await rm(file);
      const store = await openLowdbStore(dir, { segmentSize: 3 });
      expect(await store.experiments.count()).toBe(4);
      await store.close();
    });
  }

  it('stops on a record id stored twice in one segment', async () => {
    await seed(2);
    const data = JSON.parse(await readFile(segment('experiments', 0), 'utf8'));
    data.records.push(data.records[0]);
    await writeFile(segment('experiments', 0), JSON.stringify(data));
    const error = await rejection(openLowdbStore(dir, { segmentSize: 3 }));
    expect(error.code).toBe('store_corrupt');
    expect(error.message).toContain('same record id twice');
  });

  it('stops on a record id stored in two segments', async () => {
    await seed(4);
    const first = JSON.parse(await readFile(segment('experiments', 0), 'utf8'));
    const second = JSON.parse(await readFile(segment('experiments', 1), 'utf8'));
    second.records.push(first.records[0]);
    await writeFile(segment('experiments', 1), JSON.stringify(second));
    const error = await rejection(openLowdbStore(dir, { segmentSize: 3 }));
    expect(error.code).toBe('store_corrupt');
    expect(error.message).toContain('exp_0');
  });

  it('stops on a corrupt meta.json without writing it', async () => {
    await seed(1);
    const file = join(dir, 'store', 'meta.json');
    await writeFile(file, '{"schemaVersion":');
    const error = await rejection(openLowdbStore(dir));
    expect(error.code).toBe('store_corrupt');
    expect(error.message).toContain(file);
    expect(await readFile(file, 'utf8')).toBe('{"schemaVersion":');
  });

  it('asks for an upgrade when meta.json or a segment is from a newer schema', async () => {
    await seed(4);
    const metaFile = join(dir, 'store', 'meta.json');
    const meta = { schemaVersion: SCHEMA_VERSION + 1, createdAt: '2030-01-01T00:00:00.000Z' };
    await writeFile(metaFile, JSON.stringify(meta));
    let error = await rejection(openLowdbStore(dir));
    expect(error.message).toContain(metaFile);
    expect(error.message).toMatch(/newer groundwork.*Upgrade groundwork/);
    expect(JSON.parse(await readFile(metaFile, 'utf8'))).toEqual(meta);

    await writeFile(metaFile, JSON.stringify({ ...meta, schemaVersion: SCHEMA_VERSION }));
    const file = segment('experiments', 1);
    const data = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...data, schemaVersion: SCHEMA_VERSION + 1 }));
    error = await rejection(openLowdbStore(dir, { segmentSize: 3 }));
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/Upgrade groundwork/);
  });

  it('does not create meta.json when the open fails', async () => {
    await mkdir(join(dir, 'store', 'ideas'), { recursive: true });
    await writeFile(join(dir, 'store', 'ideas', '000000.json'), 'nope');
    await rejection(openLowdbStore(dir));
    await expect(readFile(join(dir, 'store', 'meta.json'))).rejects.toThrow(/ENOENT/);
  });
});
