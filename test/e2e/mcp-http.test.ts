// `groundwork serve` on a real loopback port: MCP over Streamable HTTP, the JSON API, the guards, the daemon file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { callTool } from '../helpers/mcp-client.js';
import { researchLoop } from '../helpers/mcp-loop.js';
import { connectHttp, type Daemon, startDaemon } from '../helpers/mcp-processes.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { hasTorch } from '../helpers/test-server.js';

const TOKEN = 'e2e-token-0123456789abcdef';

/** A raw request, so the Host and Origin headers can be anything. */
function raw(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('groundwork serve', () => {
  let home: string;
  let daemon: Daemon;

  beforeAll(async () => {
    // Not tempDir(): that one is removed after each test, and this daemon outlives them.
    home = await mkdtemp(join(tmpdir(), 'groundwork-http-'));
    daemon = await startDaemon(home, { GROUNDWORK_TOKEN: TOKEN });
  });
  afterAll(async () => {
    expect(await daemon.stop()).toBe(0);
    expect(existsSync(join(home, 'daemon.json'))).toBe(false);
    await rm(home, { recursive: true, force: true });
  });

  it('binds to loopback and publishes itself in daemon.json, readable only by its owner', () => {
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const file = join(home, 'daemon.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: daemon.url, token: TOKEN, home });
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('runs the loop on toy over Streamable HTTP', async () => {
    const { client } = await connectHttp(daemon.url, TOKEN);
    try {
      await researchLoop(client, { environment: 'toy', knob: { file: 'train.py', variable: 'WIDTH', value: '16' } });
    } finally {
      await client.close();
    }
  });

  it('serves the JSON API', async () => {
    const get = (path: string) => fetch(`${daemon.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await (await get('/api/health')).json()).toMatchObject({ ok: true, home });
    const experiments = (await (await get('/api/experiments')).json()) as { experiments: { id: string }[] };
    expect(experiments.experiments.length).toBeGreaterThan(0);
    const id = experiments.experiments[0]?.id as string;
    expect(
      ((await (await get(`/api/experiments/${id}/logs`)).json()) as { logs: unknown[] }).logs.length,
    ).toBeGreaterThan(0);
    expect((await get('/api/searches')).status).toBe(200);
    expect((await get('/api/experiments/exp_missing')).status).toBe(404);
  });

  it('refuses a missing token, a rebinding Host and a foreign Origin', async () => {
    expect((await fetch(`${daemon.url}/api/health`)).status).toBe(401);
    await expect(connectHttp(daemon.url)).rejects.toThrow(/401|unauthorized|token/i);
    const port = new URL(daemon.url).port;
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await raw(`${daemon.url}/api/health`, { ...auth, host: `attacker.example:${port}` })).status).toBe(403);
    expect((await raw(`${daemon.url}/api/health`, { ...auth, origin: 'https://attacker.example' })).status).toBe(403);
    expect((await raw(`${daemon.url}/api/health`, { ...auth, host: `localhost:${port}` })).status).toBe(200);
  });

  it('serves two clients at once, and survives one that disconnects mid-call', async () => {
    const one = await connectHttp(daemon.url, TOKEN);
    const two = await connectHttp(daemon.url, TOKEN);
    const own = await callTool(one.client, 'implement_idea', {
      idea: 'slow one',
      environment: 'toy',
      edit: 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 12\n>>>>>>> REPLACE\n',
    });
    const queued = await callTool(one.client, 'run_experiment', {
      implementation_id: own.data.implementation_id,
      profile: 'slow',
    });
    const pending = callTool(one.client, 'get_reward', { experiment_id: queued.data.experiment_id, wait_seconds: 2 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await one.transport.close();
    await expect(pending).rejects.toThrow();
    // Let the abandoned wait end and its answer find no one.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(daemon.child.exitCode).toBeNull();
    const [listed, environments] = await Promise.all([
      callTool(two.client, 'list_experiments', { status: 'running' }),
      callTool(two.client, 'list_environments'),
    ]);
    expect(listed.data.experiments.map((e: { experiment_id: string }) => e.experiment_id)).toContain(
      queued.data.experiment_id,
    );
    expect(environments.isError).toBe(false);
    expect(
      (await callTool(two.client, 'cancel_experiment', { experiment_id: queued.data.experiment_id })).data.status,
    ).toBe('cancelled');
    await two.client.close();
  });

  it('refuses to start a second daemon for the same data directory, or off loopback without a token', async () => {
    const second = await runCli(['serve', '--port', '0'], { env: { GROUNDWORK_HOME: home } });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`a daemon already serves ${home}`);
    const open = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], {
      env: { GROUNDWORK_HOME: await tempDir() },
    });
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/GROUNDWORK_TOKEN/);
  });
});

describe('groundwork serve without a token on loopback', () => {
  it('needs no token there, and a port in use is an error that says what to do', async () => {
    const home = await tempDir();
    const daemon = await startDaemon(home);
    try {
      const { client } = await connectHttp(daemon.url);
      expect((await callTool(client, 'list_environments')).isError).toBe(false);
      await client.close();
      const busy = await runCli(['serve', '--port', new URL(daemon.url).port], {
        env: { GROUNDWORK_HOME: await tempDir() },
      });
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(/in use; pass --port/);
    } finally {
      await daemon.stop();
    }
  });
});

describe.skipIf(!hasTorch)('groundwork serve on tiny-lm (real PyTorch)', () => {
  it('runs the whole loop with the smoke profile over HTTP', async () => {
    const daemon = await startDaemon(await tempDir());
    const client: Client = (await connectHttp(daemon.url)).client;
    try {
      await researchLoop(client, {
        environment: 'tiny-lm',
        profile: 'smoke',
        knob: { file: 'train.py', variable: 'LEARNING_RATE', value: '4e-3' },
        runImplementerEdit: false,
      });
    } finally {
      await client.close();
      await daemon.stop();
    }
  }, 240_000);
});
