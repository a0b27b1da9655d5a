// Idle MCP sessions are evicted (least recently used first) instead of refusing new clients; /api shows no internals.
import { afterEach, describe, expect, it } from 'vitest';

import { createHttpApp } from '../../../src/http/app.js';
import { createMcpServer } from '../../../src/mcp/create-mcp-server.js';
import { createMcpHttpHandler } from '../../../src/mcp/http-sessions.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createTestServer } from '../../helpers/test-server.js';

const initialize = (id: number) =>
  new Request('http://127.0.0.1:7410/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: `curl-${id}`, version: '1' } },
    }),
  });

describe('MCP session table', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('evicts the least recently used idle session when full, so a flood of initializes locks nobody out', async () => {
    const server = await createTestServer();
    closers.push(() => server.close());
    const mcp = createMcpHttpHandler({
      createServer: () => createMcpServer({ services: async () => server.services, log: silentLogger }),
      log: silentLogger,
      maxSessions: 3,
    });
    closers.push(() => mcp.close());
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await mcp.handle(initialize(i));
      expect(response.status, await response.clone().text()).toBe(200);
      await response.text(); // the initialize answer has ended: the session is idle
      ids.push(response.headers.get('mcp-session-id') as string);
    }
    expect(mcp.size).toBe(3);
    // The newest three remain; the oldest were closed and answer 404 (initialize again).
    const old = await mcp.handle(
      new Request('http://127.0.0.1:7410/mcp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': ids[0] as string,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list' }),
      }),
    );
    expect(old.status).toBe(404);
  });
});

describe('/api', () => {
  it('shows views, not executor handles, and no pid in /api/health', async () => {
    const server = await createTestServer();
    try {
      const app = createHttpApp({
        services: server.services,
        health: { name: 'groundwork', version: 'test', home: server.home, pid: 4242 },
        mcp: { handle: async () => new Response(null, { status: 404 }) },
        security: { host: '127.0.0.1', allowedHosts: [], allowedOrigins: [] },
        log: silentLogger,
      });
      const implementation = await server.services.implementIdea({
        environment: 'toy',
        idea: { text: 'widen', title: 'widen' },
        edit: 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n',
      });
      const experiment = await server.services.runExperiment({ implementationId: implementation.id });
      await server.services.waitForExperiment(experiment.id, 30_000);
      const get = async (path: string) =>
        (await app.request(`http://127.0.0.1:7410${path}`, { headers: { host: '127.0.0.1:7410' } })).text();
      const health = JSON.parse(await get('/api/health')) as Record<string, unknown>;
      expect(health).toMatchObject({ ok: true, name: 'groundwork', home: server.home });
      expect(health).not.toHaveProperty('pid');
      const listed = await get('/api/experiments');
      expect(listed).toContain(experiment.id);
      expect(listed).not.toMatch(/"(pid|startTicks|jobId|handle|executor)"/);
      expect(await get(`/api/experiments/${experiment.id}`)).not.toMatch(/"(pid|startTicks|jobId|handle)"/);
    } finally {
      await server.close();
    }
  });
});
