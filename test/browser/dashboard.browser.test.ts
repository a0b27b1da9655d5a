// The dashboard in Debian's Chromium (playwright-core, no downloaded browser): pages against the store, a live update
// over SSE when an experiment ends, no XSS, no sideways scrolling at 390 px; screenshots at 1280 and 390 px.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createHttpApp } from '../../src/http/app.js';
import { listen, type Listening } from '../../src/http/serve.js';
import { silentLogger } from '../../src/util/logger.js';
import { type DashboardData, HOSTILE, seedDashboardData } from '../helpers/dashboard-data.js';
import { CHROMIUM, CHROMIUM_ARGS as ARGS } from '../helpers/chromium.js';
import { createTestServer } from '../helpers/test-server.js';

// The page's globals, as the functions page.evaluate sends to the browser see them (tsconfig has no DOM lib).
declare const window: { __xss?: number; __stay?: number };
declare const document: { documentElement: { scrollWidth: number } };

describe.skipIf(!existsSync(CHROMIUM))('dashboard in Chromium', () => {
  let server: Awaited<ReturnType<typeof createTestServer>>;
  let listening: Listening;
  let browser: Browser;
  let data: DashboardData;
  let shots: string;
  let home: string;

  beforeAll(async () => {
    shots = process.env.GROUNDWORK_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'gw-dashboard-shots-')));
    // Its own data directory: tempDir() would remove it after the first test.
    home = await mkdtemp(join(tmpdir(), 'gw-dashboard-home-'));
    server = await createTestServer({ home });
    data = await seedDashboardData(server.store, server.home, { queued: false });
    const app = createHttpApp({
      services: server.services,
      health: { name: 'groundwork', version: 'browser-test', home: server.home, pid: process.pid },
      mcp: { handle: async () => new Response('no mcp here', { status: 404 }) },
      security: { host: '127.0.0.1', allowedHosts: [], allowedOrigins: [] },
      log: silentLogger,
      // As the daemon passes them: two GPUs (the running experiment holds GPU 0) and two CPU slots.
      slots: { gpus: ['0', '1'], concurrency: 2 },
    });
    listening = await listen(app, { host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    console.log(`dashboard screenshots: ${shots}`);
  });
  afterAll(async () => {
    await browser?.close();
    await listening?.close();
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const open = async (page: Page, path: string) => {
    const response = await page.goto(`${listening.url}${path}`);
    expect(response?.status()).toBe(200);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  };
  const shoot = (page: Page, name: string) => page.screenshot({ path: join(shots, name), fullPage: true });

  it('shows each page as the store has it, at 1280 px', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await open(page, '/');
    const searches = await server.store.searches.list();
    for (const search of searches) {
      await expect
        .poll(() => page.locator(`tr[data-search="${search.id}"] .badge`).first().textContent())
        .toBe(search.state);
    }
    await shoot(page, 'list-1280.png');

    await open(page, `/searches/${data.finished.id}`);
    const best = await server.store.ideas.get(data.bestIdeaId);
    expect(await page.locator('#best').textContent()).toContain(best?.title);
    const certified = (
      await server.store.experiments.list((e) => e.role === 'certification' && e.state === 'succeeded')
    ).length;
    expect(await page.locator('[data-evidence="certified"]').count()).toBe(certified);
    const controls = await server.store.experiments.list(
      (e) => e.searchId === data.finished.id && e.role === 'control',
    );
    expect(await page.locator('[data-evidence="control"]').count()).toBe(controls.length);
    expect(await page.locator('li.best').count()).toBe(3);
    expect(await page.locator('figure.chart svg rect.band').count()).toBe(1);
    await shoot(page, 'search-1280.png');

    await open(page, `/experiments/${data.hostileExperimentId}`);
    const hostile = await server.store.experiments.get(data.hostileExperimentId);
    const idea = await server.store.ideas.get(hostile?.ideaId as string);
    expect(await page.locator('#idea h2').textContent()).toBe(`Idea: ${idea?.title}`);
    expect(idea?.title).toContain(HOSTILE);
    expect(await page.locator('pre.diff .add').count()).toBeGreaterThan(0);
    await shoot(page, 'experiment-1280.png');

    await open(page, '/queue');
    expect(await page.locator(`tr[data-experiment="${data.runningExperimentId}"]`).count()).toBe(1);
    expect(await page.locator('#gpu-slots').textContent()).toBe('2');
    expect(await page.locator('#cpu-slots').textContent()).toBe('2');
    expect(await page.locator('tr[data-slot="gpu-0"]').textContent()).toContain(data.runningExperimentId);
    expect(await page.locator('tr[data-slot="gpu-1"]').textContent()).toContain('free');
    await shoot(page, 'queue-1280.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('updates a page without a reload when an experiment starts and ends', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(page, `/searches/${data.running.id}`);
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 10_000 }).toBe('live');
    await page.evaluate(() => (window.__stay = 1));
    const implementation = await server.services.implementIdea({
      idea: { text: 'sleep a little' },
      environment: 'sleeper',
      edit: 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n',
    });
    const queued = await server.services.runExperiment({
      implementationId: implementation.id,
      searchId: data.running.id,
    });
    const row = page.locator(`tr[data-experiment="${queued.id}"]`);
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    const ended = await server.services.waitForExperiment(queued.id, 60_000);
    expect(ended.state).toBe('succeeded');
    await expect.poll(() => row.locator('.badge').first().textContent(), { timeout: 10_000 }).toBe('succeeded');
    expect(await page.evaluate(() => window.__stay)).toBe(1);
    expect(Number(await page.locator('body').getAttribute('data-updates'))).toBeGreaterThan(0);
    await shoot(page, 'live-1280.png');
    await page.close();
  });

  it('fits a 390 px phone without sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 });
    const pages: [string, string][] = [
      ['/', 'list-390.png'],
      [`/searches/${data.finished.id}`, 'search-390.png'],
      [`/experiments/${data.bestExperimentId}`, 'experiment-390.png'],
      ['/queue', 'queue-390.png'],
    ];
    for (const [path, name] of pages) {
      await open(page, path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(392);
      await shoot(page, name);
    }
    await page.close();
  });
});
