// Host and Origin checks against DNS rebinding, and the bearer token.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';

import { bearerGuard, hostGuard, isLoopback, type SecurityOptions } from '../../../src/http/security.js';

function app(options: Partial<SecurityOptions> = {}): Hono {
  const security: SecurityOptions = { host: '127.0.0.1', allowedHosts: [], allowedOrigins: [], ...options };
  const hono = new Hono();
  hono.use('*', hostGuard(security));
  if (security.token) hono.use('*', bearerGuard(security.token));
  hono.get('/', (c) => c.text('ok'));
  return hono;
}

const get = (hono: Hono, headers: Record<string, string>) => hono.request('http://x/', { headers });

describe('isLoopback', () => {
  it('knows loopback names and addresses', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'LOCALHOST'])
      expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '192.168.1.5', 'evil.example', '127.0.0.1.evil.example', '::'])
      expect(isLoopback(host)).toBe(false);
  });
});

describe('hostGuard', () => {
  it('accepts loopback Host headers, with or without a port', async () => {
    for (const host of ['127.0.0.1:7410', 'localhost:7410', '[::1]:7410', 'localhost']) {
      expect((await get(app(), { host })).status, host).toBe(200);
    }
  });

  it('refuses a rebinding Host or a foreign Origin with 403 and a reason', async () => {
    const wrongHost = await get(app(), { host: 'evil.example:7410' });
    expect(wrongHost.status).toBe(403);
    expect(await wrongHost.json()).toMatchObject({ error: { code: 'host_not_allowed' } });
    const wrongOrigin = await get(app(), { host: '127.0.0.1:7410', origin: 'https://evil.example' });
    expect(wrongOrigin.status).toBe(403);
    expect(await wrongOrigin.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect((await get(app(), { host: '127.0.0.1:7410', origin: 'null' })).status).toBe(403);
  });

  it('accepts loopback and same-origin Origins, and configured extras', async () => {
    expect((await get(app(), { host: '127.0.0.1:7410', origin: 'http://localhost:6274' })).status).toBe(200);
    const extra = app({ allowedHosts: ['gpu-box.lan'], allowedOrigins: ['https://dash.example'] });
    expect((await get(extra, { host: 'gpu-box.lan:7410', origin: 'https://dash.example' })).status).toBe(200);
    expect((await get(extra, { host: 'gpu-box.lan:7410', origin: 'http://gpu-box.lan:7410' })).status).toBe(200);
    expect((await get(extra, { host: 'other.lan:7410' })).status).toBe(403);
  });

  it('accepts any Host when bound to all interfaces (the token guards it) unless hosts are listed', async () => {
    expect((await get(app({ host: '0.0.0.0' }), { host: '10.0.0.7:7410' })).status).toBe(200);
    expect((await get(app({ host: '0.0.0.0', allowedHosts: ['gpu-box'] }), { host: '10.0.0.7:7410' })).status).toBe(
      403,
    );
  });
});

describe('bearerGuard', () => {
  const token = 'a-long-enough-test-token';
  it('requires the exact token', async () => {
    const hono = app({ token });
    const missing = await get(hono, { host: 'localhost' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect(await missing.json()).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringContaining('GROUNDWORK_TOKEN') },
    });
    expect((await get(hono, { host: 'localhost', authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await get(hono, { host: 'localhost', authorization: `Basic ${token}` })).status).toBe(401);
    expect((await get(hono, { host: 'localhost', authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await get(hono, { host: 'localhost', authorization: `bearer ${token}` })).status).toBe(200);
  });
});
