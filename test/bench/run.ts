// `npm run bench`: groundwork's overhead per experiment over running the same commands directly, and the
// cost of recording one experiment with 1k and 100k stored. The last line is one JSON object.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { loadConfig } from '../../src/config/load-config.js';
import { createResearchServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';
import { benchStoreWrite } from './store-bench.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/environments');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);

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
async function directMs(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-direct-'));
  const out = join(dir, 'out');
  await mkdir(out);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GROUNDWORK_OUT: out };
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await run(['/bin/sh', '-c', 'exit 0'], dir, env);
    await run(['/bin/sh', '-c', `echo '{"metric": 1.0}' > "$GROUNDWORK_OUT/result.json"`], dir, env);
    times.push(performance.now() - started);
  }
  await rm(dir, { recursive: true, force: true });
  return median(times);
}

async function groundworkMs(): Promise<number> {
  const home = await mkdtemp(join(tmpdir(), 'bench-home-'));
  const config = loadConfig({ env: {}, configFile: null, overrides: { home, environmentDirs: [FIXTURES] } });
  const server = await createResearchServer(config, { log: silentLogger });
  try {
    const implementation = await server.services.implementIdea({
      idea: { text: 'bench' },
      environment: 'noop',
      edit: 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n',
    });
    const times: number[] = [];
    for (let i = 0; i < SAMPLES + 3; i++) {
      const started = performance.now();
      const queued = await server.services.runExperiment({ implementationId: implementation.id });
      const ended = await server.services.waitForExperiment(queued.id, 60_000);
      if (ended.state !== 'succeeded') throw new Error(`bench experiment ${ended.state}: ${ended.failure?.message}`);
      if (i >= 3) times.push(performance.now() - started); // first runs warm up caches
    }
    return median(times);
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}

const direct = await directMs();
const viaGroundwork = await groundworkMs();
const overhead = viaGroundwork - direct;
console.log(
  `experiment: direct ${direct.toFixed(1)} ms, through groundwork ${viaGroundwork.toFixed(1)} ms (median of ${SAMPLES}); overhead ${overhead.toFixed(1)} ms (goal <= 100)`,
);
const write1k = (await benchStoreWrite(1_000, 50)).medianMs;
console.log(`store: record one experiment with 1k stored: ${write1k.toFixed(2)} ms (median of 50)`);
const write100k = (await benchStoreWrite(100_000, 50)).medianMs;
console.log(
  `store: record one experiment with 100k stored: ${write100k.toFixed(2)} ms (median of 50); ratio ${(write100k / write1k).toFixed(2)} (goal <= 2)`,
);
console.log(
  JSON.stringify({
    experiment_overhead_ms: Number(overhead.toFixed(1)),
    store_write_ms_1k: Number(write1k.toFixed(3)),
    store_write_ms_100k: Number(write100k.toFixed(3)),
  }),
);
