// Composition root: the one place that names concrete implementations and wires them together.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { allStrategies } from '../strategies/index.js';
import { dataDir, runsDir } from './config/runs-dir.js';
import type { Config } from './config/schema.js';
import { environmentRoots } from './config/environment-roots.js';
import { resolvePython } from './environments/python.js';
import { createEnvironmentRegistry, type Environment } from './environments/registry.js';
import type { Executor } from './executors/executor.js';
import { createExecutor } from './executors/create-executor.js';
import type { Ideator } from './ideation/ideator.js';
import type { Implementer } from './implementer/implementer.js';
import type { LlmProvider } from './llm/llm-provider.js';
import { createRoles } from './roles/create-roles.js';
import { resolveGpuIds } from './scheduler/detect-gpus.js';
import { createGpuPool } from './scheduler/gpu-pool.js';
import { createScheduler } from './scheduler/scheduler.js';
import type { SearchStrategy } from './search/search-context.js';
import { createSearchRunner } from './search/search-runner.js';
import { createSearchSchedules } from './search/search-schedules.js';
import type { ServiceDeps } from './services/deps.js';
import { createResearchServices, type ResearchServices } from './services/research-services.js';
import { openLowdbStore } from './store/lowdb-store.js';
import type { Store } from './store/store.js';
import { createLogger, type Logger } from './util/logger.js';

export interface ResearchServer {
  config: Config;
  services: ResearchServices;
  store: Store;
  /**
   * The scheduler's slots: GPU ids it hands out, and how many experiments without GPUs run at once. Undefined under
   * Slurm, which allocates devices itself (jobs record none, so the ids here would all look free).
   */
  slots?: { gpus: readonly string[]; concurrency: number };
  log: Logger;
  close(): Promise<void>;
}

export interface ServerOverrides {
  store?: Store;
  executor?: Executor;
  ideator?: Ideator;
  implementer?: Implementer;
  /** Model back-ends made elsewhere, used instead of the built-in factories: `sampling` (the MCP layer), fakes in tests. */
  llmProviders?: Partial<Record<'openai' | 'anthropic' | 'sampling', LlmProvider>>;
  log?: Logger;
  strategies?: Record<string, SearchStrategy>;
  /** false: open read-only-ish (status): no dispatching, no recovery of interrupted work. */
  dispatch?: boolean;
  /** true (the daemon): carry on with every search a previous process left running or paused. */
  resumeSearches?: boolean;
}

export async function createResearchServer(config: Config, overrides: ServerOverrides = {}): Promise<ResearchServer> {
  const log = overrides.log ?? createLogger('groundwork', { level: config.logLevel });
  const store = overrides.store ?? (await openLowdbStore(config.home));
  try {
    await mkdir(join(config.home, 'tmp'), { recursive: true });
    const environments = createEnvironmentRegistry(environmentRoots(config));
    const executor = overrides.executor ?? createExecutor(config, log.child('executor'));
    const python = async (environment: Environment): Promise<string> => {
      const { setup } = environment.manifest;
      // Containers and cluster nodes bring their own interpreter: the first configured one is used as given there.
      if (!setup.python || config.executor.kind !== 'local') return config.python[0] as string;
      return (await resolvePython(config.python, setup.modules, setup.hint)).path;
    };
    const gpus = createGpuPool(resolveGpuIds(config.scheduler.gpus));
    const scheduler = createScheduler({
      store,
      executor,
      environments,
      log: log.child('scheduler'),
      runsDir: runsDir(config),
      dataDir: dataDir(config),
      home: config.home,
      concurrency: config.scheduler.concurrency,
      gpus,
      integrity: config.integrity,
      preflightSmoke: config.preflight.smoke,
      keepWorkspaces: config.keepWorkspaces,
      baseEnv: config.jobEnv,
      resolvePython: python,
    });
    const roles = createRoles(config.llm, {
      sink: { record: (call) => store.llmCalls.put(call) },
      log: log.child('llm'),
      injected: overrides.llmProviders,
    });
    const deps: ServiceDeps = {
      config,
      store,
      environments,
      scheduler,
      ideator: overrides.ideator ?? roles.ideator,
      implementer: overrides.implementer ?? roles.implementer,
      log,
      resolvePython: python,
    };
    const searches = createSearchRunner(deps, overrides.strategies ?? allStrategies);
    const schedules = createSearchSchedules({
      store,
      runner: searches,
      log,
      minIntervalMs: config.confirm.minScheduleIntervalSec * 1000,
    });
    if (overrides.dispatch !== false) {
      // Settles what a previous process left unfinished (searches, experiments, jobs), then starts dispatching.
      await scheduler.start();
      await schedules.start();
      if (overrides.resumeSearches) {
        const resumed = await searches.resumeAll();
        if (resumed.length > 0) log.info('resumed searches', { ids: resumed.map((search) => search.id) });
      }
    }
    return {
      config,
      services: createResearchServices(deps, searches, schedules),
      store,
      ...(config.executor.kind === 'slurm'
        ? {}
        : { slots: { gpus: gpus.ids, concurrency: config.scheduler.concurrency } }),
      log,
      async close() {
        await schedules.close();
        await searches.close();
        await scheduler.close();
        await executor.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
