// The dashboard's routes through the real app (app.request): pages and their JSON against the store, guards, SSE.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';

import { createHttpApp } from '../../../src/http/app.js';
import { createDashboard } from '../../../src/http/dashboard/routes.js';
import type { QueueData } from '../../../src/http/dashboard/queue-data.js';
import { silentLogger } from '../../../src/util/logger.js';
import { type DashboardData, experiment, HOSTILE, seedDashboardData } from '../../helpers/dashboard-data.js';
import { createTestServer } from '../../helpers/test-server.js';

type Server = Awaited<ReturnType<typeof createTestServer>>;
const TOKEN = 'dashboard-token-0123456789';
const mcp = { handle: async () => new Response('mcp') };

describe('dashboard routes', () => {
  let server: Server;
  let data: DashboardData;
  const appWith = (token?: string): Hono =>
    createHttpApp({
      services: server.services,
      health: { name: 'groundwork', version: 'test', home: server.home, pid: process.pid },
      mcp,
      security: { host: '127.0.0.1', token, allowedHosts: [], allowedOrigins: [] },
      log: silentLogger,
    });
  const get = (app: Hono, path: string, headers: Record<string, string> = {}) =>
    app.request(`http://127.0.0.1:7410${path}`, { headers: { host: '127.0.0.1:7410', ...headers } });

  beforeEach(async () => {
    server = await createTestServer({ overrides: { dispatch: false } });
    data = await seedDashboardData(server.store, server.home);
  });
  afterEach(async () => {
    await server.close();
  });

  it('serves the pages on loopback without a token, with CSP, and the content the store holds', async () => {
    const app = appWith();
    const list = await get(app, '/');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);
    const listHtml = await list.text();
    expect(listHtml).toContain(`href="/searches/${data.finished.id}"`);
    expect(listHtml).toContain(`href="/searches/${data.running.id}"`);
    expect(listHtml).toContain('certified · 3 seeds');

    const page = await (await get(app, `/searches/${data.finished.id}`)).text();
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('&lt;script&gt;window.__xss=1');
    expect(page).toContain('control arm best');
    expect(page).toContain(`data-experiment="${data.bestExperimentId}" data-evidence="certified"`);
    expect(page.match(/data-evidence="control"/g)).toHaveLength(2);
    expect(page).toContain('<li class="best" data-idea="' + data.bestIdeaId + '"');
    expect(page).toMatch(/<td>crashed<\/td><td class="n">1<\/td>/);

    const json = (await (await get(app, `/api/dashboard/searches/${data.finished.id}`)).json()) as {
      best_path: string[];
      leaderboard: { evidence: string }[];
      report: { control: unknown };
    };
    expect(json.best_path.at(-1)).toBe(data.bestIdeaId);
    expect(json.best_path).toHaveLength(3);
    expect(json.report.control).toMatchObject({ strategy: 'best-of-n' });

    const experiment = await (await get(app, `/experiments/${data.bestExperimentId}`)).text();
    expect(experiment).toContain('<span class="add">+lr = 6e-4  # &lt;b&gt;not bold&lt;/b&gt;</span>');
    expect(experiment).toContain('edit refused: SEARCH block not found in train.py');
    expect(experiment).toContain('aria-label="training curves"');

    const queue = await (await get(app, '/queue')).text();
    expect(queue).toContain(`data-experiment="${data.runningExperimentId}"`);
    expect(queue).toContain(`data-experiment="${data.queuedExperimentId}"`);
    expect(queue).toContain('GPU 0');

    const fragment = await (await get(app, '/queue', { 'x-dashboard-fragment': '1' })).text();
    expect(fragment.startsWith('<h1>Queue')).toBe(true);
    const missing = await get(app, '/experiments/exp_nope');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no experiment exp_nope');
    expect((await get(app, '/api/dashboard/searches/nope')).status).toBe(404);
  });

  it('shows the scheduler slots on the queue page: how many, what runs where since when, which are free', async () => {
    const onCpu = experiment('exp_cpu-job', 'idea_cpu-job', data.running.id, 'candidate', 'running');
    delete onCpu.devices; // a job without GPUs holds a CPU slot
    await server.store.experiments.put(onCpu);
    const app = createDashboard({
      services: server.services,
      health: { version: 'test' },
      slots: { gpus: ['0', '1'], concurrency: 2 },
    });
    const html = await (await app.request('http://127.0.0.1:7410/queue')).text();
    expect(html).toContain('GPU slots <b id="gpu-slots">2</b> (1 free) · CPU slots <b id="cpu-slots">2</b> (1 free)');
    expect(html).toContain('<b id="free-slots">2</b><span>free slots</span>');
    expect(html).toMatch(
      new RegExp(`<tr data-slot="gpu-0"><td>GPU 0</td><td><a href="/experiments/${data.runningExperimentId}">`),
    );
    expect(html).toMatch(/<tr data-slot="gpu-1"><td>GPU 1<\/td><td><span class="muted">free<\/span>/);
    expect(html).toMatch(/<tr data-slot="cpu-1"><td>CPU 1<\/td><td><a href="\/experiments\/exp_cpu-job">/);
    expect(html).toMatch(/<tr data-slot="cpu-2"><td>CPU 2<\/td><td><span class="muted">free<\/span>/);

    const json = (await (await app.request('http://127.0.0.1:7410/api/dashboard/queue')).json()) as QueueData;
    const running = await server.services.getExperiment(data.runningExperimentId);
    expect(json.slots?.gpu).toEqual({ total: 2, busy: 1, free: 1 });
    expect(json.slots?.cpu).toEqual({ total: 2, busy: 1, free: 1 });
    expect(json.slots?.slots[0]).toMatchObject({
      kind: 'gpu',
      name: '0',
      experiment_id: data.runningExperimentId,
      since: running.runs[0]?.startedAt,
    });

    // Told nothing about the slots, the page says so rather than guessing.
    const plain = await (await get(appWith(), '/queue')).text();
    expect(plain).toContain('Slot totals not known here.');
    expect(((await (await get(appWith(), '/api/dashboard/queue')).json()) as QueueData).slots).toBeNull();
  });

  it('applies the Host, Origin and token rules to /, /events and /api; a browser trades ?token= for a cookie', async () => {
    const app = appWith(TOKEN);
    for (const path of ['/', '/events', '/api/dashboard/queue', `/searches/${data.running.id}`]) {
      expect((await get(app, path)).status).toBe(401);
      expect((await get(app, path, { host: 'attacker.example', authorization: `Bearer ${TOKEN}` })).status).toBe(403);
      expect(
        (await get(app, path, { origin: 'https://attacker.example', authorization: `Bearer ${TOKEN}` })).status,
      ).toBe(403);
    }
    expect((await get(app, '/', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(app, '/?token=wrong')).status).toBe(401);
    const login = await get(app, `/queue?token=${TOKEN}&x=1`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/queue?x=1');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get(app, '/queue', { cookie })).status).toBe(200);
    expect((await get(app, '/mcp', { cookie })).status).toBe(401);
    expect((await get(app, '/queue', { cookie: 'groundwork_token=wrong' })).status).toBe(401);
  });

  it('streams an event on /events when an experiment changes', async () => {
    const app = appWith();
    const response = await get(app, '/events');
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    };
    await readUntil('event: hello');
    await server.services.cancelExperiment(data.queuedExperimentId);
    await readUntil('event: experiment');
    expect(text).toContain(`"id":"${data.queuedExperimentId}"`);
    expect(text).toContain('"state":"cancelled"');
    await reader.cancel();
  });
});
