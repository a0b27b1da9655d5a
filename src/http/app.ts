// The daemon's HTTP surface: MCP at /mcp, the JSON API at /api, the dashboard at /, behind Host/Origin and the token.
import { Hono } from 'hono';

import type { McpHttpHandler } from '../mcp/http-sessions.js';
import type { Logger } from '../util/logger.js';
import { type ApiOptions, createApi } from './api.js';
import type { SlotConfig } from './dashboard/queue-data.js';
import { createDashboard } from './dashboard/routes.js';
import { bearerGuard, hostGuard, type SecurityOptions } from './security.js';

export interface HttpAppOptions extends ApiOptions {
  mcp: Pick<McpHttpHandler, 'handle'>;
  security: SecurityOptions;
  log: Logger;
  /** The scheduler's slots, for the dashboard's queue page. */
  slots?: SlotConfig;
}

export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();
  app.use('*', hostGuard(options.security));
  if (options.security.token) app.use('*', bearerGuard(options.security.token));
  app.all('/mcp', (c) => options.mcp.handle(c.req.raw));
  // The dashboard: HTML pages at /, their JSON at /api/dashboard, live updates at /events (src/http/dashboard/).
  app.route('/', createDashboard(options));
  app.route('/api', createApi(options));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.onError((error, c) => {
    options.log.error('http request failed', { path: c.req.path, error: error.stack ?? error.message });
    return c.json({ error: { code: 'internal', message: 'unexpected error; see the server log' } }, 500);
  });
  return app;
}
