// Load config from the command's global options and run a function with the full stack, closing it after.
import { loadConfig, type ConfigOverrides } from '../config/load-config.js';
import { createResearchServer, type ResearchServer, type ServerOverrides } from '../server.js';

/** The exit status of a command ended by Ctrl-C or SIGTERM (128 + SIGINT). */
export const INTERRUPTED_EXIT = 130;

/**
 * Runs `run` with the stack and returns its exit status. Ctrl-C or SIGTERM ends the command at once, whatever `run`
 * is waiting for: `onInterrupt` runs, the stack closes, and the status is `INTERRUPTED_EXIT` (cli.ts exits with it).
 */
export async function withServer(
  values: { home?: string; config?: string },
  env: NodeJS.ProcessEnv,
  run: (server: ResearchServer) => Promise<number>,
  serverOverrides: ServerOverrides = {},
  configOverrides: ConfigOverrides = {},
  /** Runs on Ctrl-C or SIGTERM before the stack closes (e.g. to cancel work the command started). */
  onInterrupt?: (server: ResearchServer) => Promise<void>,
): Promise<number> {
  const config = loadConfig({
    env,
    configFile: values.config,
    overrides: { ...configOverrides, ...(values.home ? { home: values.home } : {}) },
  });
  const server = await createResearchServer(config, serverOverrides);
  let interrupted: Promise<void> | undefined;
  let wake = (): void => undefined;
  const interruption = new Promise<void>((resolve) => (wake = resolve));
  const stop = (): void => {
    interrupted = (onInterrupt?.(server) ?? Promise.resolve()).catch(() => undefined);
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const code = await Promise.race([run(server), interruption]);
    if (interrupted === undefined) return code as number;
  } catch (error) {
    // What `run` throws once the command is interrupted is a consequence of the interruption.
    if (interrupted === undefined) throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (interrupted === undefined) await server.close();
    else await interrupted.then(() => server.close()).catch(() => undefined);
  }
  return INTERRUPTED_EXIT;
}
