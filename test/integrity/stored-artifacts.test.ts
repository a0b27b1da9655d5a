// Reward hack E16 of the hostile pass: a job rewrote another implementation's stored train.py, and a later run
// executed it. Every run now checks the stored files against the hash recorded when the implementation was stored.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { JobSpec } from '../../src/executors/executor.js';
import { createFakeExecutor } from '../../src/executors/fake.js';
import type { ResearchServer } from '../../src/server.js';
import { createTestServer } from '../helpers/test-server.js';

const EDIT = 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n';

describe('stored implementations are checked before they run', () => {
  let server: (ResearchServer & { home: string }) | undefined;
  afterEach(async () => server?.close());

  async function setUp() {
    const executor = createFakeExecutor((spec: JobSpec) =>
      spec.jobId.endsWith('-evaluate')
        ? { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: '{"metric": 1.0}' } }
        : {},
    );
    server = await createTestServer({ config: { preflight: { smoke: false } }, overrides: { executor } });
    const implementation = await server.services.implementIdea({
      idea: { text: 'v2' },
      environment: 'noop',
      edit: EDIT,
    });
    expect(implementation.integrity?.files['settings.txt']).toMatch(/^[0-9a-f]{64}$/);
    return { server, implementation, executor };
  }

  it('fails the experiment as suspicious when a stored file was tampered with, before any job starts (E16)', async () => {
    const { server, implementation, executor } = await setUp();
    const stored = join(server.home, implementation.changes[0]?.artifact as string);
    await writeFile(stored, `${await readFile(stored, 'utf8')}\nprint("TAMPERED")\n`);
    const queued = await server.services.runExperiment({ implementationId: implementation.id });
    const ended = await server.services.waitForExperiment(queued.id, 10_000);
    expect(ended.state).toBe('failed');
    expect(ended.failure?.category).toBe('suspicious');
    expect(ended.failure?.message).toMatch(/settings\.txt.*no longer match/);
    expect(ended.failure?.message).toMatch(/implement_idea again/);
    expect(executor.started).toEqual([]);
  });

  it('detects a rewritten diff too, and runs untouched and old (unhashed) records as before', async () => {
    const { server, implementation } = await setUp();
    const first = await server.services.runExperiment({ implementationId: implementation.id });
    expect((await server.services.waitForExperiment(first.id, 10_000)).state).toBe('succeeded');

    const legacy = { ...implementation };
    delete legacy.integrity;
    await server.store.implementations.put(legacy);
    const old = await server.services.runExperiment({ implementationId: implementation.id });
    expect((await server.services.waitForExperiment(old.id, 10_000)).state).toBe('succeeded');

    await server.store.implementations.put(implementation);
    await writeFile(join(server.home, implementation.diffPath as string), '--- a/settings.txt\n+++ b/settings.txt\n');
    const tampered = await server.services.runExperiment({ implementationId: implementation.id });
    const ended = await server.services.waitForExperiment(tampered.id, 10_000);
    expect(ended.failure?.category).toBe('suspicious');
    expect(ended.failure?.message).toMatch(/diff\.patch/);
  });
});
