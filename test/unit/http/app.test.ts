// The daemon's HTTP app without sockets: the JSON API and MCP sessions over fetch, behind the guards.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createHttpApp } from '../../../src/http/app.js';
import { createMcpServer } from '../../../src/mcp/create-mcp-server.js';
import { createMcpHttpHandler, type McpHttpHandler } from '../../../src/mcp/http-sessions.js';
import { silentLogger } from '../../../src/util/logger.js';
import { callTool } from '../../helpers/mcp-client.js';
import { createTestServer } from '../../helpers/test-server.js';

type Server = Awaited<ReturnType<typeof createTestServer>>;
const TOKEN = 'test-token-0123456789';

describe('HTTP app', () => {
  let server: Server;
  let mcp: McpHttpHandler;
  let app: Hono;

  beforeEach(async () => {
    server = await createTestServer();
    mcp = createMcpHttpHandler({
      createServer: () => createMcpServer({ services: async () => server.services, log: silentLogger }),
      log: silentLogger,
      maxSessions: 3,
    });
    app = createHttpApp({
      services: server.services,
      health: { name: 'groundwork', version: 'test', home: server.home, pid: process.pid },
      mcp,
      security: { host: '127.0.0.1', token: TOKEN, allowedHosts: [], allowedOrigins: [] },
      log: silentLogger,
    });
  });
  afterEach(async () => {
    await mcp.close();
    await server.close();
  });

  const headers = { host: '127.0.0.1:7410', authorization: `Bearer ${TOKEN}` };
  const get = (path: string, extra: Record<string, string> = {}) =>
    app.request(`http://127.0.0.1:7410${path}`, { headers: { ...headers, ...extra } });
  const clientFor = () =>
    new StreamableHTTPClientTransport(new URL('http://127.0.0.1:7410/mcp'), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      fetch: async (url, init) => app.request(url.toString(), init),
    });

  it('serves health, environments and experiments as JSON, with errors that say what went wrong', async () => {
    expect(await (await get('/api/health')).json()).toMatchObject({ ok: true, name: 'groundwork', home: server.home });
    const environments = (await (await get('/api/environments')).json()) as { environments: { name: string }[] };
    expect(environments.environments.map((e) => e.name)).toContain('toy');
    const toy = (await (await get('/api/environments/toy')).json()) as { files: { path: string; editable: boolean }[] };
    expect(toy.files.find((f) => f.path === 'train.py')?.editable).toBe(true);
    expect(await (await get('/api/experiments')).json()).toEqual({ experiments: [] });
    const missing = await get('/api/experiments/exp_nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { code: 'not_found', message: expect.stringContaining('run_experiment') },
    });
    expect((await get('/api/experiments?state=bogus')).status).toBe(400);
    expect((await get('/api/environments/nope')).status).toBe(404);
    expect((await get('/api/nothing-here')).status).toBe(404);
  });

  it('guards every route: token, Host and Origin', async () => {
    expect(
      (await app.request('http://127.0.0.1:7410/api/health', { headers: { host: '127.0.0.1:7410' } })).status,
    ).toBe(401);
    expect((await get('/api/health', { host: 'attacker.example' })).status).toBe(403);
    expect((await get('/mcp', { origin: 'https://attacker.example' })).status).toBe(403);
  });

  it('serves MCP sessions: two clients at once, each in its own session', async () => {
    const first = new Client({ name: 'one', version: '1' });
    const second = new Client({ name: 'two', version: '1' });
    const firstTransport = clientFor();
    await first.connect(firstTransport);
    await second.connect(clientFor());
    expect(mcp.size).toBe(2);
    const [a, b] = await Promise.all([callTool(first, 'list_environments'), callTool(second, 'list_experiments', {})]);
    expect(a.isError).toBe(false);
    // Issue 14: every structured result also carries a summary a model can act on.
    expect(b.data).toEqual({ experiments: [], total: 0, summary: expect.stringContaining('No experiments match') });
    await firstTransport.terminateSession();
    expect(mcp.size).toBe(1);
    expect((await callTool(second, 'list_environments')).isError).toBe(false);
    await second.close();
  });

  it('answers requests outside a session with JSON-RPC errors', async () => {
    const post = (body: unknown, extra: Record<string, string> = {}) =>
      app.request('http://127.0.0.1:7410/mcp', {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...extra,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const noSession = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(noSession.status).toBe(400);
    expect(await noSession.text()).toContain('initialize');
    expect((await post('{not json')).status).toBe(400);
    const unknown = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': 'nope' });
    expect(unknown.status).toBe(404);
    expect((await post('x'.repeat(5 * 1024 * 1024))).status).toBe(413);
  });

  it('refuses sessions beyond the limit while all are in use', async () => {
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const client = new Client({ name: `c${i}`, version: '1' });
      await client.connect(clientFor());
      clients.push(client);
    }
    await expect(new Client({ name: 'extra', version: '1' }).connect(clientFor())).rejects.toThrow(
      /too many open sessions/,
    );
    await Promise.all(clients.map((client) => client.close()));
  });
});
