// `groundwork stdio`: MCP over stdin/stdout. Forwards to a running daemon for the data directory, or runs in-process.
import { loadConfig } from '../config/load-config.js';
import { LLM_FLAGS, LLM_FLAGS_USAGE, llmFlagOverrides } from '../config/llm-flags.js';
import { ResearchError } from '../domain/errors.js';
import { findDaemon } from '../http/daemon-file.js';
import { createMcpServer } from '../mcp/create-mcp-server.js';
import { createSamplingLlmProvider } from '../mcp/sampling-provider.js';
import { bridgeStdioToHttp } from '../mcp/stdio-bridge.js';
import { serveStdio } from '../mcp/stdio-server.js';
import { createResearchServer, type ResearchServer } from '../server.js';
import type { ResearchServices } from '../services/research-services.js';
import { createLogger } from '../util/logger.js';
import { type Command, GLOBAL_USAGE, parseCommandArgs } from './command.js';

const usage = `Usage: groundwork stdio [--no-forward]

Serves MCP over stdin/stdout; this is the command MCP clients such as Claude Desktop start.
If "groundwork serve" runs for the same data directory, it forwards every message to that
daemon. Otherwise it runs everything in this process and holds the data directory's lock
until the client disconnects (running experiments are then stopped). Logs go to stderr.

Options:
  --no-forward   never forward to a daemon; run in-process
${LLM_FLAGS_USAGE}
${GLOBAL_USAGE}`;

export const stdioCommand: Command = {
  name: 'stdio',
  summary: 'serve MCP over stdin/stdout (forwarding to a running daemon if there is one)',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { 'no-forward': { type: 'boolean' }, ...LLM_FLAGS }, usage);
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    const config = loadConfig({
      env: io.env,
      configFile: values.config,
      overrides: { ...(values.home ? { home: values.home } : {}), llm: llmFlagOverrides(values) },
    });
    const log = createLogger('groundwork', { level: config.logLevel });

    const daemon = values['no-forward'] ? undefined : await findDaemon(config.home);
    if (daemon) {
      log.info('forwarding to the daemon', { url: daemon.url, home: config.home });
      await bridgeStdioToHttp({ url: new URL('/mcp', daemon.url), token: daemon.token, log: log.child('bridge') });
      return 0;
    }

    // In-process. If another process holds the data directory, every call says so, and the next call tries again.
    let opened: ResearchServer | undefined;
    let opening: Promise<ResearchServer> | undefined;
    const services = async (): Promise<ResearchServices> => {
      if (opened) return opened.services;
      opening ??= createResearchServer(config, {
        log,
        llmProviders: { sampling: createSamplingLlmProvider() },
      }).finally(() => (opening = undefined));
      try {
        opened = await opening;
        return opened.services;
      } catch (error) {
        if (!ResearchError.is(error, 'store_locked')) throw error;
        throw new ResearchError(
          'store_locked',
          `${error.message} To share one data directory between several clients, run "groundwork serve" for it: "groundwork stdio" then forwards to the daemon.`,
          { retryable: true },
        );
      }
    };
    await services().catch((error: unknown) => log.warn(String(error instanceof Error ? error.message : error)));

    const server = createMcpServer({ services, log });
    const stop = (): void => void server.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await serveStdio(server);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await opening?.catch(() => undefined);
      await opened?.close();
    }
    return 0;
  },
};
