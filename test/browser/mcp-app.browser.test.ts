// The MCP App of show_search in Debian's Chromium (playwright-core, no downloaded browser). The test plays the host:
// a page with the app's HTML in a sandboxed iframe, answering ui/initialize, sending the tool's input and result,
// and forwarding the app's tools/call to the real MCP client (in-memory transport) — as Claude Desktop, VS Code and
// Cursor do. It checks the chart, the leaderboard's evidence, the lineage, no XSS, and a refresh that reaches the
// server and shows what changed; screenshots at 1280 and 390 px.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SEARCH_APP_URI } from '../../src/mcp/app/search-app.js';
import { experimentIdFor } from '../../src/services/search-stats.js';
import { type DashboardData, experiment, HOSTILE, seedDashboardData } from '../helpers/dashboard-data.js';
import { callTool, connectInMemory, resourceText, type ToolCall } from '../helpers/mcp-client.js';
import { CHROMIUM, CHROMIUM_ARGS as ARGS } from '../helpers/chromium.js';
import { createTestServer } from '../helpers/test-server.js';

// The frame's globals, as the functions frame.evaluate sends to the browser see them (tsconfig has no DOM lib).
declare const window: { __xss?: number };
declare const document: { documentElement: { scrollWidth: number; scrollHeight: number } };

interface HostLog {
  protocol: string | null;
  initialized: boolean;
  calls: { name: string; arguments: Record<string, unknown> }[];
  sizes: { width: number; height: number }[];
}

/** The host: an iframe sandboxed as real hosts do (scripts, no same origin), and the MCP Apps host side of the bridge. */
const HOST_PAGE = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>test host</title>
<style>body{margin:0;font:14px sans-serif;background:#f9fafb}p{margin:8px 12px}iframe{display:block;width:100%;border:0;border-top:1px solid #d1d5db;height:300px;background:#fff}</style>
</head><body><p>Test host · tool show_search</p><iframe id="app" sandbox="allow-scripts" title="groundwork search"></iframe>
<script>
const frame = document.getElementById('app');
const log = (window.__host = { protocol: null, initialized: false, calls: [], sizes: [] });
const send = (message) => frame.contentWindow.postMessage(message, '*');
window.addEventListener('message', async (event) => {
  if (event.source !== frame.contentWindow) return;
  const m = event.data;
  if (!m || m.jsonrpc !== '2.0') return;
  if (m.method === 'ui/initialize') {
    log.protocol = m.params.protocolVersion;
    send({ jsonrpc: '2.0', id: m.id, result: {
      protocolVersion: m.params.protocolVersion,
      hostInfo: { name: 'groundwork-test-host', version: '1.0.0' },
      hostCapabilities: { serverTools: {}, logging: {} },
      hostContext: { theme: 'light', displayMode: 'inline', platform: 'desktop' },
    } });
  } else if (m.method === 'ui/notifications/initialized') {
    log.initialized = true;
    const { args, result } = await window.hostToolCall();
    send({ jsonrpc: '2.0', method: 'ui/notifications/tool-input', params: { arguments: args } });
    send({ jsonrpc: '2.0', method: 'ui/notifications/tool-result', params: result });
  } else if (m.method === 'ui/notifications/size-changed') {
    log.sizes.push(m.params);
    if (m.params.height) frame.style.height = m.params.height + 'px';
  } else if (m.method === 'tools/call') {
    log.calls.push(m.params);
    try {
      send({ jsonrpc: '2.0', id: m.id, result: await window.hostForward(m.params.name, m.params.arguments || {}) });
    } catch (error) {
      send({ jsonrpc: '2.0', id: m.id, error: { code: -32603, message: String(error) } });
    }
  } else if (m.id !== undefined && m.method !== undefined) {
    send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'not supported by the test host' } });
  }
});
window.hostAppHtml().then((html) => { frame.srcdoc = html; });
</script></body></html>`;

describe.skipIf(!existsSync(CHROMIUM))('MCP App (show_search) in Chromium', () => {
  let server: Awaited<ReturnType<typeof createTestServer>>;
  let connection: Awaited<ReturnType<typeof connectInMemory>>;
  let browser: Browser;
  let data: DashboardData;
  let shots: string;
  let home: string;
  let html: string;

  beforeAll(async () => {
    shots = process.env.GROUNDWORK_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'gw-mcp-app-shots-')));
    home = await mkdtemp(join(tmpdir(), 'gw-mcp-app-home-'));
    server = await createTestServer({ home });
    data = await seedDashboardData(server.store, server.home, { queued: false, prefix: 'app' });
    connection = await connectInMemory(server);
    html = resourceText(await connection.client.readResource({ uri: SEARCH_APP_URI }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    console.log(`MCP app screenshots: ${shots}`);
  });
  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  /** A host page showing the app for one show_search call; `forwarded` records the app's calls that reached MCP. */
  async function host(page: Page, shown: ToolCall, forwarded: ToolCall[]): Promise<Frame> {
    await page.exposeFunction('hostAppHtml', () => html);
    await page.exposeFunction('hostToolCall', () => ({ args: { search_id: data.finished.id }, result: shown.raw }));
    await page.exposeFunction('hostForward', async (name: string, args: Record<string, unknown>) => {
      const call = await callTool(connection.client, name, args);
      forwarded.push(call);
      return call.raw;
    });
    await page.setContent(HOST_PAGE);
    const frame = await (await page.waitForSelector('#app')).contentFrame();
    if (!frame) throw new Error('no app frame');
    await expect.poll(() => frame.locator('body').getAttribute('data-renders'), { timeout: 10_000 }).toBe('1');
    return frame;
  }

  /**
   * A screenshot of the whole host page. Chromium draws the sandboxed iframe in its own process, and a fullPage
   * screenshot can catch it blank; so the viewport is grown to the page first and the app given time to repaint.
   */
  async function shoot(page: Page, name: string): Promise<void> {
    const width = page.viewportSize()?.width ?? 1280;
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width, height: Math.max(height, 200) });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, name) });
  }

  const hostLog = (page: Page) => page.evaluate(() => (globalThis as unknown as { __host: HostLog }).__host);

  it('lists the tool and the ui:// resource, renders the tool result, and refreshes through tools/call', async () => {
    const { client } = connection;
    // (a) listed: the resource with the MCP Apps MIME type, the tool pointing at it.
    const { resources } = await client.listResources();
    expect(resources.find((r) => r.uri === SEARCH_APP_URI)?.mimeType).toBe('text/html;profile=mcp-app');
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'show_search')?._meta).toMatchObject({
      ui: { resourceUri: SEARCH_APP_URI },
    });
    // (b) its HTML, as a host reads it.
    const read = await client.readResource({ uri: SEARCH_APP_URI });
    expect(read.contents[0]?.mimeType).toBe('text/html;profile=mcp-app');
    expect(resourceText(read)).toBe(html);
    expect(html).toContain('ui/initialize');
    // (c) the call the host makes when the model asks for the view.
    const shown = await callTool(client, 'show_search', { search_id: data.finished.id });
    expect(shown.isError, shown.text).toBe(false);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const forwarded: ToolCall[] = [];
    const frame = await host(page, shown, forwarded);
    const log = await hostLog(page);
    expect(log.protocol).toBe('2026-01-26');
    expect(log.initialized).toBe(true);

    // Header and best: from the tool result's data, the certified best told apart.
    const best = await server.store.ideas.get(data.bestIdeaId);
    expect(await frame.locator('#title').textContent()).toBe(`Search ${data.finished.id}`);
    expect(await frame.locator('#state').textContent()).toBe('succeeded');
    expect(await frame.locator('#best-title').textContent()).toBe(best?.title);
    expect(await frame.locator('#best .pill').textContent()).toBe('certified · 3 seeds');

    // Leaderboard: one row per row of the result, the certified one, the single-seed ones and the control arm.
    const rows = frame.locator('#leaderboard tbody tr');
    expect(await rows.count()).toBe(shown.data.leaderboard.length);
    const first = shown.data.leaderboard[0];
    expect(await rows.first().getAttribute('data-experiment')).toBe(first.experiment_id);
    const certified = frame.locator('tr[data-evidence="certified"]');
    expect(await certified.count()).toBe(1);
    expect(await certified.locator('.pill').textContent()).toBe('certified · 3 seeds');
    expect(await frame.locator('tr[data-evidence="single-seed"] .pill').first().textContent()).toBe('single seed');
    const singles = shown.data.leaderboard.filter((r: { evidence: string }) => r.evidence === 'single-seed').length;
    expect(await frame.locator('tr[data-evidence="single-seed"]').count()).toBe(singles);
    expect(await frame.locator('tr[data-evidence="control"]').count()).toBe(2);

    // Lineage: every idea, the path to the best starred; hostile titles are text, never markup.
    expect(await frame.locator('#lineage li[data-idea]').count()).toBe(shown.data.lineage.length);
    expect(await frame.locator('#lineage li.best').count()).toBe(3);
    expect(await frame.locator(`#lineage li.best[data-idea="${data.bestIdeaId}"]`).count()).toBe(1);
    const hostile = frame.locator('#lineage .title', { hasText: 'Hostile' });
    expect(await hostile.textContent()).toBe(`Hostile ${HOSTILE}`);
    expect(await frame.locator('img, #leaderboard script, #lineage script').count()).toBe(0);
    expect(await frame.evaluate(() => window.__xss)).toBeUndefined();

    // Chart: the baseline band, the control arm, best and mean reward with a dot per generation.
    expect(await frame.locator('#chart svg rect.band').count()).toBe(1);
    expect(await frame.locator('#chart svg line.control').count()).toBe(1);
    expect(await frame.locator('#chart svg path.best').getAttribute('d')).toMatch(
      /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){2}$/,
    );
    expect(await frame.locator('#chart svg circle').count()).toBe(3);
    expect(await frame.locator('#chart .legend').textContent()).toContain('control arm best');
    expect((await hostLog(page)).sizes.length).toBeGreaterThan(0);
    await shoot(page, 'mcp-app-1280.png');

    // Live data: a better idea lands in a new generation; Refresh calls show_search through the host.
    const late = { ...(best as NonNullable<typeof best>), id: 'idea_app_late', title: 'Late idea', epoch: 3 };
    await server.store.ideas.put({ ...late, parentIds: [data.bestIdeaId] });
    const lateId = experimentIdFor(late.id, 'candidate');
    await server.store.experiments.put(experiment(lateId, late.id, data.finished.id, 'candidate', 'succeeded', [1.7]));
    await frame.locator('#refresh').click();
    await expect.poll(() => frame.locator('body').getAttribute('data-renders'), { timeout: 10_000 }).toBe('2');
    expect((await hostLog(page)).calls).toEqual([{ name: 'show_search', arguments: { search_id: data.finished.id } }]);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]?.isError).toBe(false);
    expect(await rows.first().getAttribute('data-experiment')).toBe(lateId);
    expect(await rows.first().locator('.pill').textContent()).toBe('single seed');
    expect(await frame.locator('#lineage li[data-idea="idea_app_late"]').count()).toBe(1);
    expect(await frame.locator('#chart svg circle').count()).toBe(4);
    expect(errors).toEqual([]);
    await shoot(page, 'mcp-app-refreshed-1280.png');
    await page.close();
  });

  it('fits a 390 px phone without sideways scrolling, and shows an error result as text', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 });
    const shown = await callTool(connection.client, 'show_search', { search_id: data.finished.id });
    const frame = await host(page, shown, []);
    expect(await frame.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(392);
    await shoot(page, 'mcp-app-390.png');
    await page.close();

    const missing = await callTool(connection.client, 'show_search', { search_id: 'search_nope' });
    expect(missing.isError).toBe(true);
    const errorPage = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await errorPage.exposeFunction('hostAppHtml', () => html);
    await errorPage.exposeFunction('hostToolCall', () => ({ args: { search_id: 'search_nope' }, result: missing.raw }));
    await errorPage.exposeFunction('hostForward', () => missing.raw);
    await errorPage.setContent(HOST_PAGE);
    const errorFrame = await (await errorPage.waitForSelector('#app')).contentFrame();
    await expect.poll(() => errorFrame?.locator('#message').textContent(), { timeout: 10_000 }).toMatch(/^not_found: /);
    expect(await errorFrame?.locator('#view').isHidden()).toBe(true);
    await errorPage.close();
  });
});
