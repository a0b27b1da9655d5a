// The daemon killed (SIGKILL) while 10 jobs run: a restarted daemon re-attaches to the containers or Slurm jobs
// that outlived it and finishes every experiment, none lost and none run twice (attempt stays 1).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load-config.js';
import { createResearchServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { FIXTURE_ENVIRONMENTS } from '../helpers/test-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dockerSocket = process.env.GROUNDWORK_TEST_DOCKER_SOCKET;
const dockerImage = process.env.GROUNDWORK_TEST_DOCKER_IMAGE;
const slurm = Boolean(process.env.SLURM_CONF) && process.env.GROUNDWORK_TEST_SLURM === '1';

/** Starts the daemon child, resolves once all `count` experiments have a running job, then kills it with SIGKILL. */
async function runAndKill(configFile: string, home: string, count: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/engines/daemon-child.ts'), String(count)],
    {
      cwd: ROOT,
      env: { ...process.env, GROUNDWORK_HOME: home, GROUNDWORK_CONFIG: configFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const queued: string[] = [];
  const started = new Set<string>();
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`daemon did not start ${count} jobs: ${stderr}`)), 90_000);
    child.once('exit', (code) => fail(new Error(`daemon exited early (${code}): ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        const [word, id] = line.trim().split(' ');
        if (word === 'queued' && id) queued.push(id);
        if (word === 'started' && id) started.add(id);
      }
      if (queued.length === count && started.size === count) {
        clearTimeout(timer);
        done();
      }
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
  return queued;
}

async function killAndRecover(executor: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
  const home = await tempDir();
  const settings = {
    environmentDirs: [FIXTURE_ENVIRONMENTS],
    preflight: { smoke: false },
    scheduler: { concurrency: 10, killGraceSec: 1 },
    jobEnv: { PATH: '/usr/local/bin:/usr/bin:/bin', SLEEPER_SECONDS: '6' },
    executor,
    ...extra,
  };
  const configFile = join(home, 'config.json');
  await writeFile(configFile, JSON.stringify(settings));
  const ids = await runAndKill(configFile, home, 10);

  const config = loadConfig({ env: { GROUNDWORK_HOME: home }, configFile });
  const server = await createResearchServer(config, { log: silentLogger });
  try {
    const ended = await Promise.all(ids.map((id) => server.services.waitForExperiment(id, 120_000)));
    for (const experiment of ended) {
      expect(experiment.state, JSON.stringify(experiment.failure)).toBe('succeeded');
      expect(experiment.runs[0]?.attempt, `${experiment.id} ran again instead of being re-attached`).toBe(1);
    }
    expect((await server.services.listExperiments()).length).toBe(10);
  } finally {
    await server.close();
  }
}

describe('the daemon killed while 10 jobs run', () => {
  it.skipIf(!dockerSocket || !dockerImage)(
    'docker: re-attaches to the 10 containers and finishes every experiment once',
    async () => {
      await killAndRecover({
        kind: 'docker',
        docker: { socketPath: dockerSocket, image: dockerImage, shmSizeGiB: 0.0625 },
      });
    },
    240_000,
  );

  it.skipIf(!slurm)(
    'slurm: re-attaches to the 10 cluster jobs and finishes every experiment once',
    async () => {
      const shared = await tempDir();
      await killAndRecover({ kind: 'slurm', slurm: { sharedDir: shared, pollIntervalSec: 0.5 } });
    },
    240_000,
  );
});
