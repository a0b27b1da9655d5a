// Leftovers (hostile pass §3a, E8): run folders of cancelled, failed and interrupted runs keep only their logs, and
// no copy of the harness (held-out data) outlives its evaluation step, even with keepWorkspaces.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Experiment } from '../../src/domain/records.js';
import type { FakeOutcome } from '../../src/executors/fake.js';
import type { JobSpec } from '../../src/executors/executor.js';
import { createFakeExecutor } from '../../src/executors/fake.js';
import type { ResearchServer } from '../../src/server.js';
import { createTestServer } from '../helpers/test-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOY_EDIT = 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n';
const RESULT = (spec: JobSpec) => ({ [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: '{"metric": 1.5}' });

describe('run folders are reduced to their logs', () => {
  let server: (ResearchServer & { home: string }) | undefined;
  afterEach(async () => server?.close());

  async function run(
    script: (spec: JobSpec) => FakeOutcome,
    options: { keep?: boolean; cancelAfterMs?: number; home?: string } = {},
  ): Promise<Experiment> {
    const executor = createFakeExecutor(script);
    server = await createTestServer({
      config: { preflight: { smoke: false }, keepWorkspaces: options.keep ?? false },
      overrides: { executor },
      ...(options.home ? { home: options.home } : {}),
    });
    const implementation = await server.services.implementIdea({
      idea: { text: 'w' },
      environment: 'toy',
      edit: TOY_EDIT,
    });
    const queued = await server.services.runExperiment({ implementationId: implementation.id });
    if (options.cancelAfterMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, options.cancelAfterMs));
      await server.services.cancelExperiment(queued.id);
    }
    return server.services.waitForExperiment(queued.id, 20_000);
  }

  const runDir = (experiment: Experiment) => join((server as { home: string }).home, 'runs', experiment.id, 'seed-0');

  it('after a failed run: logs stay; workspace, checkpoint, homes and harness go', async () => {
    const experiment = await run((spec) => (spec.jobId.endsWith('-evaluate') ? { exitCode: 1, log: 'boom' } : {}));
    expect(experiment.state).toBe('failed');
    const left = await readdir(runDir(experiment));
    expect(left).toEqual(expect.arrayContaining(['train.log', 'evaluate.log']));
    for (const gone of ['workspace', 'checkpoint', 'harness', 'home', 'evaluate-home'])
      expect(left).not.toContain(gone);
  });

  it('after a run cancelled during training', async () => {
    const experiment = await run((spec) => (spec.jobId.endsWith('-train') ? { delayMs: 60_000 } : {}), {
      cancelAfterMs: 300,
    });
    expect(experiment.state).toBe('cancelled');
    const left = existsSync(runDir(experiment)) ? await readdir(runDir(experiment)) : [];
    for (const gone of ['workspace', 'checkpoint', 'harness', 'home']) expect(left).not.toContain(gone);
  });

  it('never keeps the harness copy, even with keepWorkspaces', async () => {
    const experiment = await run((spec) => (spec.jobId.endsWith('-evaluate') ? { files: RESULT(spec) } : {}), {
      keep: true,
    });
    expect(experiment.state).toBe('succeeded');
    const left = await readdir(runDir(experiment));
    expect(left).toContain('workspace');
    expect(left).not.toContain('harness');
  });

  it('reduces folders an interrupted daemon left behind on the next start', async () => {
    const home = await tempDir();
    const leftover = join(home, 'runs', 'exp_interrupted', 'seed-0');
    await mkdir(join(leftover, 'harness'), { recursive: true });
    await mkdir(join(leftover, 'workspace'), { recursive: true });
    await writeFile(join(leftover, 'harness', 'val.txt'), 'held-out text');
    await writeFile(join(leftover, 'train.log'), 'step 1');
    server = await createTestServer({ home, overrides: { executor: createFakeExecutor(() => ({})) } });
    await server.services.listExperiments(); // the scheduler has started and recovered by now
    const started = Date.now();
    while (existsSync(join(leftover, 'harness')) && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await readdir(leftover)).toEqual(['train.log']);
  });
});
