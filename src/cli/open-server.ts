// Load config from the command's global options and run a function with the full stack, closing it after.
import { loadConfig, type ConfigOverrides } from '../config/load-config.js';
import { createResearchServer, type ResearchServer, type ServerOverrides } from '../server.js';

export async function withServer<T>(
  values: { home?: string; config?: string },
  env: NodeJS.ProcessEnv,
  run: (server: ResearchServer) => Promise<T>,
  serverOverrides: ServerOverrides = {},
  configOverrides: ConfigOverrides = {},
  /** Runs on Ctrl-C or SIGTERM before the stack closes (e.g. to cancel work the command started). */
  onInterrupt?: (server: ResearchServer) => Promise<void>,
): Promise<T> {
  const config = loadConfig({
    env,
    configFile: values.config,
    overrides: { ...configOverrides, ...(values.home ? { home: values.home } : {}) },
  });
  const server = await createResearchServer(config, serverOverrides);
  const stop = (): void =>
    void (onInterrupt?.(server) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => server.close())
      .finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await run(server);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server.close();
  }
}
