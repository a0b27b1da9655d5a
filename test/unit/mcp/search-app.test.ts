// show_search without MCP Apps: the ui:// resource and the tool's _meta.ui are listed, and the tool is still a plain
// read tool (text + structured search report) for clients that ignore them; an unknown search is a clear error.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SEARCH_APP_MIME, SEARCH_APP_URI } from '../../../src/mcp/app/search-app.js';
import { type DashboardData, HOSTILE, seedDashboardData } from '../../helpers/dashboard-data.js';
import { callTool, connectInMemory, resourceText } from '../../helpers/mcp-client.js';
import { createTestServer } from '../../helpers/test-server.js';

describe('show_search (MCP Apps tool) for every client', () => {
  let server: Awaited<ReturnType<typeof createTestServer>>;
  let connection: Awaited<ReturnType<typeof connectInMemory>>;
  let data: DashboardData;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'gw-search-app-'));
    server = await createTestServer({ home });
    data = await seedDashboardData(server.store, server.home, { queued: false, prefix: 'app' });
    connection = await connectInMemory(server);
  });
  afterAll(async () => {
    await connection?.close();
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('lists the ui:// resource with the MCP Apps MIME type, and show_search pointing at it', async () => {
    expect(SEARCH_APP_MIME).toBe('text/html;profile=mcp-app');
    const { resources } = await connection.client.listResources();
    expect(resources.find((r) => r.uri === SEARCH_APP_URI)).toMatchObject({ mimeType: 'text/html;profile=mcp-app' });
    const read = await connection.client.readResource({ uri: SEARCH_APP_URI });
    expect(read.contents[0]?.mimeType).toBe('text/html;profile=mcp-app');
    const html = resourceText(read);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('ui/initialize');
    // Offline: no external script, style or font.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toContain('innerHTML');

    const { tools } = await connection.client.listTools();
    const show = tools.find((tool) => tool.name === 'show_search');
    expect(show?._meta).toMatchObject({ ui: { resourceUri: SEARCH_APP_URI } });
    expect(show?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: false });
    expect(show?.outputSchema).toBeDefined();
    expect(show?.description?.length).toBeGreaterThan(60);
    expect(show?.inputSchema.required).toEqual(['search_id']);
    // The existing tools are unchanged: none of them opens a view.
    for (const tool of tools.filter((t) => t.name !== 'show_search')) expect(tool._meta?.ui, tool.name).toBeUndefined();
  });

  it('returns the search report as text and structured content, as get_search_report does, plus the view data', async () => {
    const { client } = connection;
    const shown = await callTool(client, 'show_search', { search_id: data.finished.id });
    expect(shown.isError, shown.text).toBe(false);
    const report = await callTool(client, 'get_search_report', { search_id: data.finished.id });
    expect(shown.data.status).toEqual(report.data.status);
    expect(shown.data.report).toEqual(report.data.report);
    expect(shown.text).toContain(report.text);
    expect(shown.text).toMatch(/\[certified · 3 seeds\]/);
    expect(shown.text).toMatch(/\[single seed\]/);
    expect(shown.text).toMatch(/\[control arm\]/);
    expect(shown.data.summary).toMatch(new RegExp(`^Search ${data.finished.id} .* is succeeded`));
    expect(shown.data.summary).toContain('certified over 3 seeds');
    expect(shown.data.report.best.idea_id).toBe(data.bestIdeaId);

    const evidence = (kind: string) =>
      shown.data.leaderboard.filter((row: { evidence: string }) => row.evidence === kind).length;
    expect(evidence('certified')).toBe(1);
    expect(evidence('control')).toBe(2);
    expect(evidence('single-seed')).toBeGreaterThan(0);
    expect(shown.data.band.low).toBeLessThan(shown.data.band.mid);
    expect(shown.data.band.mid).toBeLessThan(shown.data.band.high);
    expect(shown.data.metric).toEqual({ name: 'val_loss', direction: 'min' });
    expect(shown.data.lineage).toHaveLength(9);
    expect(shown.data.lineage.some((node: { title: string }) => node.title.includes(HOSTILE))).toBe(true);
    expect(shown.data.best_path.at(-1)).toBe(data.bestIdeaId);
    expect(shown.data.best_path).toHaveLength(3);
  });

  it('says what to do when the search does not exist', async () => {
    const missing = await callTool(connection.client, 'show_search', { search_id: 'search_nope' });
    expect(missing.isError).toBe(true);
    expect(missing.code).toBe('not_found');
    expect(missing.text).toMatch(
      /^not_found: no search search_nope; use an id returned by run_search or list_searches/,
    );
    const empty = await callTool(connection.client, 'show_search', { search_id: '' });
    expect(empty.isError).toBe(true);
  });
});
