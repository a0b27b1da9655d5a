// A restarted daemon re-attaches to jobs that outlived it (containers, cluster jobs) instead of running them again,
// and re-runs, saying so, the ones its executor lost.
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Experiment } from '../../../src/domain/records.js';
import { createEnvironmentRegistry } from '../../../src/environments/registry.js';
import { hashFrozen, materializeWorkspace } from '../../../src/environments/workspace.js';
import type { JobSpec } from '../../../src/executors/executor.js';
import { createFakeCluster, createFakeExecutor, type FakeCluster } from '../../../src/executors/fake.js';
import { runPaths } from '../../../src/scheduler/run-pipeline.js';
import type { ResearchServer } from '../../../src/server.js';
import { openLowdbStore } from '../../../src/store/lowdb-store.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { createTestServer, FIXTURE_ENVIRONMENTS } from '../../helpers/test-server.js';

const EDIT = 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n';

function executorOn(cluster: FakeCluster, trainMs: number) {
  return createFakeExecutor(
    (spec: JobSpec) =>
      spec.jobId.endsWith('-evaluate')
        ? { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: '{"metric": 0.5}' } }
        : { delayMs: trainMs, log: 'training\n' },
    { cluster },
  );
}

const servers: ResearchServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** An experiment a dead daemon left running, whose training job `startJob` decides the fate of. */
async function leftRunning(home: string, cluster: FakeCluster, startJob: boolean): Promise<string> {
  const first = await createTestServer({ home, config: { preflight: { smoke: false } } });
  const implementation = await first.services.implementIdea({
    idea: { text: 'value 2' },
    environment: 'noop',
    edit: EDIT,
  });
  const queued = await first.services.runExperiment({ implementationId: implementation.id });
  await first.services.cancelExperiment(queued.id);
  await first.close();

  const id = 'exp_left_running';
  const environment = await createEnvironmentRegistry([FIXTURE_ENVIRONMENTS]).get('noop');
  const paths = runPaths(join(home, 'runs', id, 'seed-0'));
  await materializeWorkspace(environment, [{ path: 'settings.txt', content: 'value = 2\n' }], paths.workspace);
  const frozen = Object.fromEntries(await hashFrozen(paths.workspace, environment.manifest.frozen));
  const jobId = `${id}-seed-0-train`;
  if (startJob) {
    // The previous daemon's executor started the training job on the "cluster", then the daemon died.
    await executorOn(cluster, 400).start({
      jobId,
      command: ['train'],
      cwd: paths.workspace,
      env: {},
      logPath: paths.trainLog,
      timeLimitSec: 30,
      resources: environment.manifest.resources,
      writable: [],
      readOnly: [],
      devices: [],
    });
  }
  const store = await openLowdbStore(home);
  const original = (await store.experiments.get(queued.id)) as Experiment;
  await store.experiments.put({
    ...original,
    id,
    state: 'running',
    failure: undefined,
    runs: [
      {
        seed: 0,
        state: 'running',
        attempt: 1,
        startedAt: new Date().toISOString(),
        handle: { handle: { executor: 'fake', jobId }, step: 'train', frozen },
      },
    ],
    updatedAt: new Date().toISOString(),
  });
  await store.close();
  return id;
}

describe('re-attaching after a restart', () => {
  it('waits for a job that outlived the previous daemon and finishes the run without starting it again', async () => {
    const home = await tempDir();
    const cluster = createFakeCluster();
    const id = await leftRunning(home, cluster, true);
    const executor = executorOn(cluster, 400);
    const second = await createTestServer({ home, config: { preflight: { smoke: false } }, overrides: { executor } });
    servers.push(second);
    const ended = await second.services.waitForExperiment(id, 10_000);
    expect(ended.state, JSON.stringify(ended.failure)).toBe('succeeded');
    expect(ended.runs[0]?.attempt).toBe(1);
    expect(ended.result?.metric.value).toBe(0.5);
    // Only the evaluation was started by the new daemon: training was not run twice.
    expect(executor.started.map((spec) => spec.jobId)).toEqual([`${id}-seed-0-evaluate`]);
  });

  it('runs a job the executor lost again, counting the attempt', async () => {
    const home = await tempDir();
    const cluster = createFakeCluster();
    const id = await leftRunning(home, cluster, false);
    const executor = executorOn(cluster, 50);
    const second = await createTestServer({ home, config: { preflight: { smoke: false } }, overrides: { executor } });
    servers.push(second);
    const ended = await second.services.waitForExperiment(id, 10_000);
    expect(ended.state).toBe('succeeded');
    expect(ended.runs[0]?.attempt).toBe(2);
    expect(executor.started.map((spec) => spec.jobId)).toEqual([`${id}-seed-0-train`, `${id}-seed-0-evaluate`]);
  });

  it('runs a job the executor loses while it runs once more, and fails it as infrastructure the second time', async () => {
    let lose = 1;
    const executor = createFakeExecutor((spec: JobSpec) => {
      if (spec.jobId.endsWith('-evaluate')) {
        return { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: '{"metric": 0.5}' } };
      }
      return lose-- > 0 ? { delayMs: 20, lost: true } : { delayMs: 20 };
    });
    const server = await createTestServer({ config: { preflight: { smoke: false } }, overrides: { executor } });
    servers.push(server);
    const implementation = await server.services.implementIdea({
      idea: { text: 'value 2' },
      environment: 'noop',
      edit: EDIT,
    });
    const once = await server.services.runExperiment({ implementationId: implementation.id });
    const recovered = await server.services.waitForExperiment(once.id, 10_000);
    expect(recovered.state).toBe('succeeded');
    expect(recovered.runs[0]?.attempt).toBe(2);

    lose = 2;
    const twice = await server.services.runExperiment({ implementationId: implementation.id });
    const failed = await server.services.waitForExperiment(twice.id, 10_000);
    expect(failed.state).toBe('failed');
    expect(failed.failure?.category).toBe('infrastructure');
    expect(failed.failure?.message).toMatch(/lost job/);
    expect(failed.runs[0]?.attempt).toBe(2);
  });

  it('on a graceful shutdown leaves re-attachable jobs running, and the next daemon finishes them once', async () => {
    const home = await tempDir();
    const cluster = createFakeCluster();
    const first = executorOn(cluster, 600);
    const before = await createTestServer({
      home,
      config: { preflight: { smoke: false } },
      overrides: { executor: first },
    });
    const implementation = await before.services.implementIdea({
      idea: { text: 'value 2' },
      environment: 'noop',
      edit: EDIT,
    });
    const queued = await before.services.runExperiment({ implementationId: implementation.id });
    await expect
      .poll(async () => (await before.services.getExperiment(queued.id)).runs[0]?.handle, { timeout: 5000 })
      .toBeDefined();
    await before.close();
    expect((await openStoreAndGet(home, queued.id)).state).toBe('running');

    const second = executorOn(cluster, 600);
    const after = await createTestServer({
      home,
      config: { preflight: { smoke: false } },
      overrides: { executor: second },
    });
    servers.push(after);
    const ended = await after.services.waitForExperiment(queued.id, 10_000);
    expect(ended.state, JSON.stringify(ended.failure)).toBe('succeeded');
    expect(ended.runs[0]?.attempt).toBe(1);
    expect(first.started.map((spec) => spec.jobId)).toEqual([`${queued.id}-seed-0-train`]);
    expect(second.started.map((spec) => spec.jobId)).toEqual([`${queued.id}-seed-0-evaluate`]);
  });
});

async function openStoreAndGet(home: string, id: string): Promise<Experiment> {
  const store = await openLowdbStore(home);
  try {
    return (await store.experiments.get(id)) as Experiment;
  } finally {
    await store.close();
  }
}
