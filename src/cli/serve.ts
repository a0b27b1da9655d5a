// `groundwork serve`: the daemon. Owns the data directory and serves MCP at /mcp and the JSON API at /api.
import { loadConfig } from '../config/load-config.js';
import { LLM_FLAGS, LLM_FLAGS_USAGE, llmFlagOverrides } from '../config/llm-flags.js';
import { ResearchError } from '../domain/errors.js';
import { createHttpApp } from '../http/app.js';
import { findDaemon, removeDaemonInfo, writeDaemonInfo } from '../http/daemon-file.js';
import { isLoopback } from '../http/security.js';
import { listen, type Listening } from '../http/serve.js';
import { createMcpServer } from '../mcp/create-mcp-server.js';
import { createMcpHttpHandler } from '../mcp/http-sessions.js';
import { createSamplingLlmProvider } from '../mcp/sampling-provider.js';
import { SERVER_INFO } from '../mcp/server-info.js';
import { createResearchServer } from '../server.js';
import { createLogger } from '../util/logger.js';
import { type Command, GLOBAL_USAGE, parseCommandArgs } from './command.js';

const usage = `Usage: groundwork serve [--host ADDR] [--port N]

Runs the daemon: it holds the data directory, runs experiments and searches, and serves
MCP (Streamable HTTP) at http://HOST:PORT/mcp, a read-only JSON API at /api, and a live
dashboard (searches, experiments, the queue) at http://HOST:PORT/.
"groundwork stdio" started for the same data directory forwards to it, so several
clients can share one store. Stop it with Ctrl-C.

Options:
  --host ADDR   address to bind (default 127.0.0.1; anything else needs a token)
  --port N      port (default 7410; 0 picks a free one)

Environment:
  GROUNDWORK_TOKEN   bearer token clients must send (required off loopback, 16+ characters)
${LLM_FLAGS_USAGE}
${GLOBAL_USAGE}`;

function toPort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ResearchError('bad_input', `--port must be an integer from 0 to 65535; got "${value}"`);
  }
  return port;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the daemon: MCP over HTTP at /mcp and a JSON API at /api',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      { host: { type: 'string' }, port: { type: 'string' }, ...LLM_FLAGS },
      usage,
    );
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    const port = toPort(values.port);
    const config = loadConfig({
      env: io.env,
      configFile: values.config,
      overrides: {
        ...(values.home ? { home: values.home } : {}),
        llm: llmFlagOverrides(values),
        http: { ...(values.host ? { host: values.host } : {}), ...(port !== undefined ? { port } : {}) },
      },
    });
    const { host, token } = config.http;
    if (!isLoopback(host) && !token) {
      throw new ResearchError(
        'bad_input',
        `binding to ${host} exposes the server beyond this machine: set GROUNDWORK_TOKEN (16+ characters) or http.token, or keep the default host 127.0.0.1`,
      );
    }
    const running = await findDaemon(config.home);
    if (running) throw new ResearchError('store_locked', `a daemon already serves ${config.home} at ${running.url}`);

    const log = createLogger('groundwork', { level: config.logLevel });
    const server = await createResearchServer(config, {
      log,
      llmProviders: { sampling: createSamplingLlmProvider() },
      resumeSearches: true,
    });
    const mcp = createMcpHttpHandler({
      createServer: () => createMcpServer({ services: async () => server.services, log }),
      log: log.child('mcp'),
    });
    const app = createHttpApp({
      services: server.services,
      health: { name: SERVER_INFO.name, version: SERVER_INFO.version, home: config.home, pid: process.pid },
      mcp,
      security: config.http,
      log: log.child('http'),
      ...(server.slots ? { slots: server.slots } : {}),
    });
    let listening: Listening;
    try {
      listening = await listen(app, config.http);
    } catch (error) {
      await mcp.close();
      await server.close();
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new ResearchError(
        'bad_input',
        inUse
          ? `port ${config.http.port} on ${host} is in use; pass --port with another port (0 picks a free one)`
          : `cannot listen on ${host}:${config.http.port}: ${String(error)}`,
      );
    }
    await writeDaemonInfo({
      url: listening.url,
      token,
      pid: process.pid,
      home: config.home,
      startedAt: new Date().toISOString(),
    });
    io.stdout(
      `groundwork serving ${config.home} at ${listening.url} (MCP: ${listening.url}/mcp, API: ${listening.url}/api)`,
    );
    io.stdout(
      token
        ? `dashboard: ${listening.url}/ (open ${listening.url}/?token=$GROUNDWORK_TOKEN once; the browser keeps it as a cookie)`
        : `dashboard: ${listening.url}/`,
    );
    if (!isLoopback(host)) io.stdout(`bound to ${host}: clients must send "Authorization: Bearer $GROUNDWORK_TOKEN"`);

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log.info('shutting down');
    await removeDaemonInfo(config.home, process.pid);
    await listening.close();
    await mcp.close();
    await server.close();
    return 0;
  },
};
