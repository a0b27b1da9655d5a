// The dashboard's routes: HTML pages at /, /searches/:id, /experiments/:id, /queue; their JSON under /api/dashboard;
// server-sent events at /events when experiments change. The app's guards (Host, Origin, token) run before these.
import { randomBytes } from 'node:crypto';

import { Hono } from 'hono';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

import { ResearchError } from '../../domain/errors.js';
import type { Experiment } from '../../domain/records.js';
import type { ResearchServices } from '../../services/research-services.js';
import { h, type SafeHtml } from './html.js';
import { contentSecurityPolicy, layout } from './layout.js';
import { renderExperimentPage, renderQueue } from './pages-experiment.js';
import { renderSearchList, renderSearchPage } from './pages-search.js';
import { loadQueue, type SlotConfig } from './queue-data.js';
import { loadExperimentPage, loadSearchList, loadSearchPage } from './view-data.js';

export interface DashboardOptions {
  services: ResearchServices;
  health: { version: string };
  /** The scheduler's slots (GPU ids, CPU concurrency) for the queue page; without it the page says they are unknown. */
  slots?: SlotConfig;
  /** Seconds between SSE keep-alive comments (default 20). */
  keepAliveSeconds?: number;
}

/** What /events sends on every experiment change (event `experiment`). */
export interface ExperimentEvent {
  id: string;
  state: string;
  search_id: string | null;
  idea_id: string;
  updated_at: string;
}

export const experimentEvent = (e: Experiment): ExperimentEvent => ({
  id: e.id,
  state: e.state,
  search_id: e.searchId ?? null,
  idea_id: e.ideaId,
  updated_at: e.updatedAt,
});

export function createDashboard({ services, health, slots, keepAliveSeconds = 20 }: DashboardOptions): Hono {
  const app = new Hono();

  const page = async (c: Context, title: string, body: () => Promise<SafeHtml>): Promise<Response> => {
    let content: SafeHtml;
    let status: 200 | 404 = 200;
    try {
      content = await body();
    } catch (error) {
      if (!ResearchError.is(error, 'not_found')) throw error;
      status = 404;
      content = h`<h1>Not found</h1><section><p>${error.message}</p><p><a href="/">All searches</a></p></section>`;
    }
    const headers = {
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (c.req.header('x-dashboard-fragment')) return c.html(content.value, status, headers);
    const nonce = randomBytes(16).toString('base64');
    return c.html(layout({ title, nonce, version: health.version }, content).value, status, {
      ...headers,
      'content-security-policy': contentSecurityPolicy(nonce),
    });
  };

  app.get('/', (c) => page(c, 'searches', async () => renderSearchList(await loadSearchList(services))));
  app.get('/searches/:id', (c) =>
    page(c, `search ${c.req.param('id')}`, async () =>
      renderSearchPage(await loadSearchPage(services, c.req.param('id'))),
    ),
  );
  app.get('/experiments/:id', (c) =>
    page(c, `experiment ${c.req.param('id')}`, async () =>
      renderExperimentPage(await loadExperimentPage(services, c.req.param('id')), Date.now()),
    ),
  );
  app.get('/queue', (c) => page(c, 'queue', async () => renderQueue(await loadQueue(services, slots), Date.now())));

  app.get('/api/dashboard/searches', async (c) => c.json(await loadSearchList(services)));
  app.get('/api/dashboard/searches/:id', async (c) => c.json(await loadSearchPage(services, c.req.param('id'))));
  app.get('/api/dashboard/experiments/:id', async (c) => c.json(await loadExperimentPage(services, c.req.param('id'))));
  app.get('/api/dashboard/queue', async (c) => c.json(await loadQueue(services, slots)));

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      const pending: ExperimentEvent[] = [];
      let wake: (() => void) | undefined;
      const stop = services.onExperimentUpdate((experiment) => {
        pending.push(experimentEvent(experiment));
        wake?.();
      });
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ version: health.version }) });
        while (open) {
          const next = pending.shift();
          if (next) {
            await stream.writeSSE({
              event: 'experiment',
              id: `${next.id}@${next.updated_at}`,
              data: JSON.stringify(next),
            });
            continue;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, keepAliveSeconds * 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
          if (open && pending.length === 0) await stream.write(': keep-alive\n\n');
        }
      } finally {
        stop();
      }
    }),
  );

  app.onError((error, c) => {
    if (ResearchError.is(error)) {
      const status = error.code === 'not_found' ? 404 : error.code === 'bad_input' ? 400 : 500;
      return c.json({ error: { code: error.code, message: error.message } }, status);
    }
    return c.json({ error: { code: 'internal', message: 'unexpected error; see the server log' } }, 500);
  });
  return app;
}
