// What the application services need, wired by the composition root (src/server.ts).
import type { Config } from '../config/schema.js';
import type { Environment, EnvironmentRegistry } from '../environments/registry.js';
import type { EditWriter, IdeaProvider } from '../llm/provider.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';

export interface ServiceDeps {
  config: Config;
  store: Store;
  environments: EnvironmentRegistry;
  scheduler: Scheduler;
  ideaProvider: IdeaProvider;
  editWriter: EditWriter;
  log: Logger;
  /** Interpreter for an environment (and for syntax pre-flight). */
  resolvePython(environment: Environment): Promise<string>;
}
