// Reading the data directory without its lock, so `status` and `search list|status|report` answer while another
// process (a foreground search, a daemon) owns it.
import { loadConfig } from '../config/load-config.js';
import { environmentRoots } from '../config/environment-roots.js';
import type { Config } from '../config/schema.js';
import type { Experiment, ExperimentState, Search } from '../domain/records.js';
import { createEnvironmentRegistry, type EnvironmentRegistry } from '../environments/registry.js';
import { openLowdbStoreReadOnly } from '../store/lowdb-store.js';
import type { Store } from '../store/store.js';

export interface Reader {
  config: Config;
  store: Store;
  environments: EnvironmentRegistry;
  counts(): Promise<Record<string, number>>;
  listExperiments(filter: { state?: ExperimentState }): Promise<Experiment[]>;
  listSearches(): Promise<Search[]>;
}

export async function withReader<T>(
  values: { home?: string; config?: string },
  env: NodeJS.ProcessEnv,
  run: (reader: Reader) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ env, configFile: values.config, overrides: values.home ? { home: values.home } : {} });
  const store = await openLowdbStoreReadOnly(config.home);
  const reader: Reader = {
    config,
    store,
    environments: createEnvironmentRegistry(environmentRoots(config)),
    async counts() {
      const [ideas, implementations, experiments, searches, llmCalls] = await Promise.all([
        store.ideas.count(),
        store.implementations.count(),
        store.experiments.count(),
        store.searches.count(),
        store.llmCalls.count(),
      ]);
      return { ideas, implementations, experiments, searches, llmCalls };
    },
    listExperiments: ({ state }) => store.experiments.list((e) => state === undefined || e.state === state),
    listSearches: () => store.searches.list(),
  };
  try {
    return await run(reader);
  } finally {
    await store.close();
  }
}
