// Composition root: the one place that names concrete implementations and wires them together.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { allStrategies } from '../strategies/index.js';
import { dataDir, runsDir } from './config/runs-dir.js';
import type { Config } from './config/schema.js';
import { resolvePython } from './environments/python.js';
import { createEnvironmentRegistry, type Environment } from './environments/registry.js';
import type { Executor } from './executors/executor.js';
import { createExecutor } from './executors/create-executor.js';
import { createProviders } from './llm/create-providers.js';
import type { LlmProvider } from './llm/llm-provider.js';
import type { EditWriter, IdeaProvider } from './llm/provider.js';
import { resolveGpuIds } from './scheduler/detect-gpus.js';
import { createGpuPool } from './scheduler/gpu-pool.js';
import { createScheduler, type Scheduler } from './scheduler/scheduler.js';
import { createSearchRunner, type StrategyLike } from './search/search-runner.js';
import { createSearchSchedules } from './search/search-schedules.js';
import type { ServiceDeps } from './services/deps.js';
import { loadChanges } from './services/experiments.js';
import { createHistoryCheck } from './services/plausibility.js';
import { createResearchServices, type ResearchServices } from './services/research-services.js';
import { openLowdbStore } from './store/lowdb-store.js';
import type { Store } from './store/store.js';
import { createLogger, type Logger } from './util/logger.js';

export interface ResearchServer {
  config: Config;
  services: ResearchServices;
  store: Store;
  log: Logger;
  close(): Promise<void>;
}

export interface ServerOverrides {
  store?: Store;
  executor?: Executor;
  ideaProvider?: IdeaProvider;
  editWriter?: EditWriter;
  /** Model back-ends made elsewhere, used instead of the built-in factories: `sampling` (the MCP layer), fakes in tests. */
  llmProviders?: Partial<Record<'openai' | 'anthropic' | 'sampling', LlmProvider>>;
  log?: Logger;
  strategies?: Record<string, StrategyLike>;
  /** false: open read-only-ish (status): no dispatching, no recovery of interrupted work. */
  dispatch?: boolean;
}

export async function createResearchServer(config: Config, overrides: ServerOverrides = {}): Promise<ResearchServer> {
  const log = overrides.log ?? createLogger('groundwork', { level: config.logLevel });
  const store = overrides.store ?? (await openLowdbStore(config.home));
  try {
    await mkdir(join(config.home, 'tmp'), { recursive: true });
    const environments = createEnvironmentRegistry(config.environmentDirs);
    const executor = overrides.executor ?? createExecutor(config, log.child('executor'));
    const python = async (environment: Environment): Promise<string> => {
      const { setup } = environment.manifest;
      // Containers and cluster nodes bring their own interpreter: the first configured one is used as given there.
      if (!setup.python || config.executor.kind !== 'local') return config.python[0] as string;
      return (await resolvePython(config.python, setup.modules, setup.hint)).path;
    };
    const gpus = createGpuPool(resolveGpuIds(config.scheduler.gpus));
    const history = createHistoryCheck(store, environments, config.integrity);
    const scheduler = createScheduler({
      store,
      executor,
      environments,
      log: log.child('scheduler'),
      runsDir: runsDir(config),
      dataDir: dataDir(config),
      concurrency: config.scheduler.concurrency,
      gpus,
      checkPlausible: (experiment, metric) => history.check(experiment, metric),
      preflightSmoke: config.preflight.smoke,
      keepWorkspaces: config.keepWorkspaces,
      baseEnv: config.jobEnv,
      resolvePython: python,
      loadChanges: (id) => loadChanges({ store, config }, id),
    });
    scheduler.onUpdate((experiment) => history.record(experiment));
    const providers = createProviders(config.llm, {
      sink: { record: (call) => store.llmCalls.put(call) },
      log: log.child('llm'),
      injected: overrides.llmProviders,
    });
    const deps: ServiceDeps = {
      config,
      store,
      environments,
      scheduler,
      ideaProvider: overrides.ideaProvider ?? providers.ideaProvider,
      editWriter: overrides.editWriter ?? providers.editWriter,
      log,
      resolvePython: python,
    };
    const searches = createSearchRunner(deps, overrides.strategies ?? allStrategies);
    const schedules = createSearchSchedules({ store, runner: searches, log });
    if (overrides.dispatch !== false) {
      await recoverInterrupted(store, scheduler, executor);
      await schedules.start();
    }
    return {
      config,
      services: createResearchServices(deps, searches, schedules),
      store,
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

/**
 * Searches a previous process was running cannot continue without it: mark them failed (saying why) and
 * stop their experiments, including jobs that outlived that process. Then resume the queue.
 */
async function recoverInterrupted(store: Store, scheduler: Scheduler, executor: Executor): Promise<void> {
  const now = new Date().toISOString();
  for (const search of await store.searches.list((s) => s.state === 'running')) {
    const orphans = await store.experiments.list(
      (e) => e.searchId === search.id && (e.state === 'queued' || e.state === 'running'),
    );
    for (const experiment of orphans) {
      const handles = [experiment.preflight?.handle, ...experiment.runs.map((run) => run.handle)];
      for (const handle of handles) if (handle) await executor.cancel(handle as never).catch(() => undefined);
      const failure = {
        category: 'cancelled' as const,
        message: `its search ${search.id} was interrupted`,
        logTail: '',
      };
      for (const run of experiment.runs) {
        if (run.state === 'queued' || run.state === 'running') Object.assign(run, { state: 'cancelled', failure });
      }
      await store.experiments.put({ ...experiment, state: 'cancelled', failure, updatedAt: now });
    }
    await store.searches.put({
      ...search,
      state: 'failed',
      error: `interrupted: the process running it stopped (${orphans.length} unfinished experiments cancelled); start a new search`,
      updatedAt: now,
    });
  }
  await scheduler.start();
}
