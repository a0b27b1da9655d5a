// Benchmark: server-side render time of the dashboard's search page and searches list with 10,000 stored experiments.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { loadConfig } from '../../src/config/load-config.js';
import { renderSearchList, renderSearchPage } from '../../src/http/dashboard/pages-search.js';
import { loadSearchList, loadSearchPage } from '../../src/http/dashboard/view-data.js';
import { createResearchServer } from '../../src/server.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../../src/util/logger.js';
import { seedDashboardData } from '../helpers/dashboard-data.js';

const ENVIRONMENTS = resolve(import.meta.dirname, '../../environments');

export interface DashboardBench {
  experiments: number;
  /** Median wall-clock time of one render (load the view data from the services, then the HTML). */
  searchPageMs: number;
  listMs: number;
  /** Median CPU time (user + system) of one render: the wall time on an idle machine, near enough. */
  searchPageCpuMs: number;
  listCpuMs: number;
  htmlBytes: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** 100 generations × 100 candidates (plus certification, control and the running search) in a memory store. */
export async function benchDashboard(samples = 5): Promise<DashboardBench> {
  const home = await mkdtemp(join(tmpdir(), 'gw-bench-dashboard-'));
  const config = loadConfig({ env: {}, configFile: null, overrides: { home, environmentDirs: [ENVIRONMENTS] } });
  const server = await createResearchServer(config, { log: silentLogger, store: createMemoryStore(), dispatch: false });
  try {
    const data = await seedDashboardData(server.store, home, { generations: 100, perGeneration: 100, diffs: false });
    const experiments = await server.store.experiments.count();
    const page = async () => renderSearchPage(await loadSearchPage(server.services, data.finished.id)).value;
    const list = async () => renderSearchList(await loadSearchList(server.services)).value;
    const time = async (render: () => Promise<string>) => {
      await render();
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        const cpuStarted = process.cpuUsage();
        await render();
        const used = process.cpuUsage(cpuStarted);
        wall.push(performance.now() - started);
        cpu.push((used.user + used.system) / 1000);
      }
      return { wall: median(wall), cpu: median(cpu) };
    };
    const pageTime = await time(page);
    const listTime = await time(list);
    return {
      experiments,
      searchPageMs: pageTime.wall,
      listMs: listTime.wall,
      searchPageCpuMs: pageTime.cpu,
      listCpuMs: listTime.cpu,
      htmlBytes: (await page()).length,
    };
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchDashboard()));
