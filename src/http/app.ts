// The daemon's HTTP surface: MCP at /mcp, the JSON API at /api, behind Host/Origin checks and the bearer token.
import { Hono } from 'hono';

import type { McpHttpHandler } from '../mcp/http-sessions.js';
import type { Logger } from '../util/logger.js';
import { type ApiOptions, createApi } from './api.js';
import { bearerGuard, hostGuard, type SecurityOptions } from './security.js';

export interface HttpAppOptions extends ApiOptions {
  mcp: Pick<McpHttpHandler, 'handle'>;
  security: SecurityOptions;
  log: Logger;
}

export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();
  app.use('*', hostGuard(options.security));
  if (options.security.token) app.use('*', bearerGuard(options.security.token));
  app.all('/mcp', (c) => options.mcp.handle(c.req.raw));
  app.route('/api', createApi(options));
  app.get('/', (c) =>
    c.text(
      `groundwork ${options.health.version}: MCP (Streamable HTTP) at /mcp, JSON API at /api (e.g. /api/health, /api/experiments)\n`,
    ),
  );
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.onError((error, c) => {
    options.log.error('http request failed', { path: c.req.path, error: error.stack ?? error.message });
    return c.json({ error: { code: 'internal', message: 'unexpected error; see the server log' } }, 500);
  });
  return app;
}
