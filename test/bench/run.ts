// `npm run bench`: groundwork's overhead per experiment over running the same commands directly, the cost of
// recording one experiment with 1k and 100k stored, rendering the dashboard with 10k stored (dashboard-bench.ts), idle GPU-slot time of a 200-job run on 8 simulated GPUs, and
// the share of slot time a simulated search keeps its 8 GPUs busy in steady and epochs mode, and
// (when a Docker engine is given in GROUNDWORK_BENCH_DOCKER_SOCKET) the docker executor's overhead per job, and the
// local sandbox's (bubblewrap) start-up cost and the torch threads a job sees inside it.
// The last line is one JSON object.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { loadConfig } from '../../src/config/load-config.js';
import type { ResearchServer } from '../../src/server.js';
import { createResearchServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';
import { benchDashboard } from './dashboard-bench.js';
import { benchGpuSlots } from './gpu-slots.js';
import { benchSandbox } from './sandbox-bench.js';
import { benchSearchSlots } from './search-slots.js';
import { benchStoreWrite } from './store-bench.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/environments');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const WARM_UP = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function run(command: string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command[0] as string, command.slice(1), { cwd, env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`exit ${code}`))));
  });
}

/** The noop environment's two steps, run directly: the floor groundwork is compared with. */
async function direct(dir: string): Promise<number> {
  const out = join(dir, 'out');
  await mkdir(out, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GROUNDWORK_OUT: out };
  const started = performance.now();
  await run(['/bin/sh', '-c', 'exit 0'], dir, env);
  await run(['/bin/sh', '-c', `echo '{"metric": 1.0}' > "$GROUNDWORK_OUT/result.json"`], dir, env);
  return performance.now() - started;
}

/** The same two steps as a groundwork experiment: queue, workspace, both jobs, result, reward, store writes. */
async function throughGroundwork(server: ResearchServer, implementationId: string): Promise<number> {
  const started = performance.now();
  const queued = await server.services.runExperiment({ implementationId });
  const ended = await server.services.waitForExperiment(queued.id, 60_000);
  if (ended.state !== 'succeeded') throw new Error(`bench experiment ${ended.state}: ${ended.failure?.message}`);
  return performance.now() - started;
}

async function experimentOverhead(): Promise<{ direct: number; groundwork: number }> {
  const home = await mkdtemp(join(tmpdir(), 'bench-home-'));
  const scratch = await mkdtemp(join(tmpdir(), 'bench-direct-'));
  const config = loadConfig({ env: {}, configFile: null, overrides: { home, environmentDirs: [FIXTURES] } });
  const server = await createResearchServer(config, { log: silentLogger });
  try {
    const implementation = await server.services.implementIdea({
      idea: { text: 'bench' },
      environment: 'noop',
      edit: 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n',
    });
    const directTimes: number[] = [];
    const groundworkTimes: number[] = [];
    // Interleaved, so load on this machine hits both sides alike.
    for (let i = 0; i < SAMPLES + WARM_UP; i++) {
      const d = await direct(scratch);
      const g = await throughGroundwork(server, implementation.id);
      if (i >= WARM_UP) {
        directTimes.push(d);
        groundworkTimes.push(g);
      }
    }
    return { direct: median(directTimes), groundwork: median(groundworkTimes) };
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The docker executor's overhead per job over the same container lifecycle done directly. Uses the engine named by
 * GROUNDWORK_BENCH_DOCKER_SOCKET and GROUNDWORK_BENCH_DOCKER_IMAGE, else starts a private dockerd when this machine
 * has one and runs as root (test/engines/docker-up.sh), else says it skipped.
 */
async function benchDocker(): Promise<Record<string, number>> {
  let socket = process.env.GROUNDWORK_BENCH_DOCKER_SOCKET;
  let image = process.env.GROUNDWORK_BENCH_DOCKER_IMAGE;
  let stop = async (): Promise<void> => undefined;
  if (!socket || !image) {
    const engines = resolve(import.meta.dirname, '../engines');
    if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v dockerd && command -v busybox']).status !== 0) {
      console.log(
        'docker: skipped (needs root with dockerd and busybox, or GROUNDWORK_BENCH_DOCKER_SOCKET and _IMAGE)',
      );
      return {};
    }
    const base = await mkdtemp(join(tmpdir(), 'bench-docker-'));
    const up = spawnSync('bash', [join(engines, 'docker-up.sh'), base], { encoding: 'utf8' });
    if (up.status !== 0) {
      console.log(`docker: skipped (private dockerd did not start: ${up.stderr.trim()})`);
      return {};
    }
    socket = /GROUNDWORK_TEST_DOCKER_SOCKET=(\S+)/.exec(up.stdout)?.[1];
    image = /GROUNDWORK_TEST_DOCKER_IMAGE=(\S+)/.exec(up.stdout)?.[1];
    stop = async () => {
      spawnSync('bash', [join(engines, 'docker-down.sh'), base, '--purge']);
    };
  }
  try {
    const { measureDockerOverhead } = await import('./docker-overhead.js');
    const result = await measureDockerOverhead(socket as string, image as string);
    console.log(
      `docker: a \`true\` job through the docker executor ${result.executorMs.toFixed(1)} ms, the same container run ` +
        `directly with dockerode ${result.directMs.toFixed(1)} ms (medians); overhead ${result.overheadMs.toFixed(1)} ms`,
    );
    return {
      docker_job_ms: Number(result.executorMs.toFixed(1)),
      docker_direct_ms: Number(result.directMs.toFixed(1)),
      docker_overhead_ms: Number(result.overheadMs.toFixed(1)),
    };
  } finally {
    await stop();
  }
}

const experiment = await experimentOverhead();
const overhead = experiment.groundwork - experiment.direct;
console.log(
  `experiment (no-op train + evaluate): direct ${experiment.direct.toFixed(1)} ms, through groundwork ${experiment.groundwork.toFixed(1)} ms ` +
    `(medians of ${SAMPLES}, interleaved); overhead ${overhead.toFixed(1)} ms (goal <= 100)`,
);
const small = await benchStoreWrite(1_000);
console.log(
  `store: one more experiment with 1k stored: ${small.medianMs.toFixed(2)} ms (median over a segment cycle; open ${small.openMs.toFixed(0)} ms)`,
);
const large = await benchStoreWrite(100_000);
console.log(
  `store: one more experiment with 100k stored: ${large.medianMs.toFixed(2)} ms (open ${large.openMs.toFixed(0)} ms); ` +
    `ratio ${(large.medianMs / small.medianMs).toFixed(2)} (goal <= 2)`,
);
const slots = await benchGpuSlots();
console.log(
  `gpu slots: ${slots.jobs} jobs (0.5-1.5 s each) on ${slots.gpus} simulated GPUs: makespan ${(slots.makespanMs / 1000).toFixed(2)} s, ` +
    `ideal ${(slots.idealMs / 1000).toFixed(2)} s (${(100 * slots.overIdeal).toFixed(1)}% above; goal < 5%), ` +
    `zero-overhead queue order ${(slots.zeroOverheadMs / 1000).toFixed(2)} s; idle slot time ${(100 * slots.idleShare).toFixed(1)}%`,
);
const dashboard = await benchDashboard();
console.log(
  `dashboard: search page with ${dashboard.experiments} stored experiments ${dashboard.searchPageMs.toFixed(0)} ms ` +
    `(cpu ${dashboard.searchPageCpuMs.toFixed(0)} ms, ${dashboard.htmlBytes} bytes), searches list ${dashboard.listMs.toFixed(0)} ms ` +
    `(cpu ${dashboard.listCpuMs.toFixed(0)} ms); medians, load + render (goal < 300)`,
);
// A search of 160 candidates (10 epochs of 16), jobs of 1-3 s, 0.4 s per ideator call and 0.2 s per edit.
const steady = await benchSearchSlots('steady', { epochs: 10, batchSize: 16 });
const epochs = await benchSearchSlots('epochs', { epochs: 10, batchSize: 16 });
console.log(
  `search slots: ${steady.jobs} candidates on 8 simulated GPUs (jobs 1-3 s, ideator 0.4 s a call): busy ` +
    `${(100 * steady.busyShare).toFixed(1)}% of slot time in steady mode (goal >= 95%), ${(100 * epochs.busyShare).toFixed(1)}% in epochs mode`,
);
const docker = await benchDocker();
const sandbox = await benchSandbox(SAMPLES);
if (sandbox.skipped) console.log(`sandbox: skipped (${sandbox.skipped})`);
else {
  console.log(
    `sandbox: a \`true\` job through the local executor under bubblewrap ${sandbox.bwrapMs?.toFixed(1)} ms, unsandboxed ` +
      `${sandbox.plainMs?.toFixed(1)} ms (medians of ${SAMPLES}, interleaved); start overhead ` +
      `${((sandbox.bwrapMs ?? 0) - (sandbox.plainMs ?? 0)).toFixed(1)} ms` +
      (sandbox.threadsInside !== undefined
        ? `; torch threads inside ${sandbox.threadsInside}, outside ${sandbox.threadsOutside}`
        : '; torch threads: skipped (no /usr/bin/python3 with torch)'),
  );
}
console.log(
  JSON.stringify({
    experiment_overhead_ms: Number(overhead.toFixed(1)),
    store_write_ms_1k: Number(small.medianMs.toFixed(3)),
    store_write_ms_100k: Number(large.medianMs.toFixed(3)),
    dashboard_render_ms_10k: Number(Math.max(dashboard.searchPageMs, dashboard.listMs).toFixed(1)),
    dashboard_render_cpu_ms_10k: Number(Math.max(dashboard.searchPageCpuMs, dashboard.listCpuMs).toFixed(1)),
    gpu_makespan_over_ideal_pct: Number((100 * slots.overIdeal).toFixed(2)),
    gpu_idle_slot_pct: Number((100 * slots.idleShare).toFixed(2)),
    search_slot_busy_steady: Number(steady.busyShare.toFixed(3)),
    search_slot_busy_epochs: Number(epochs.busyShare.toFixed(3)),
    ...docker,
    ...(sandbox.bwrapMs !== undefined && sandbox.plainMs !== undefined
      ? {
          sandbox_job_ms: Number(sandbox.bwrapMs.toFixed(1)),
          sandbox_plain_job_ms: Number(sandbox.plainMs.toFixed(1)),
          sandbox_start_ms: Number((sandbox.bwrapMs - sandbox.plainMs).toFixed(1)),
        }
      : {}),
    ...(sandbox.threadsInside !== undefined
      ? { sandbox_torch_threads: sandbox.threadsInside, host_torch_threads: sandbox.threadsOutside }
      : {}),
  }),
);
