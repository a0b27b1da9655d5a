// Host and Origin checks against DNS rebinding, and the bearer token, as hono middleware.
import { createHash, timingSafeEqual } from 'node:crypto';

import type { MiddlewareHandler } from 'hono';

export interface SecurityOptions {
  /** The address the server is bound to. */
  host: string;
  token?: string;
  /** Extra accepted Host names; `*` accepts any. */
  allowedHosts: readonly string[];
  /** Extra accepted browser origins; `*` accepts any. */
  allowedOrigins: readonly string[];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/** Loopback names and addresses: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

function refuse(status: 401 | 403, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Refuses requests whose Host or Origin a DNS-rebinding page would send. */
export function hostGuard(options: SecurityOptions): MiddlewareHandler {
  const anyHost =
    options.allowedHosts.includes('*') || (WILDCARDS.has(options.host) && options.allowedHosts.length === 0);
  const hosts = new Set(
    [...options.allowedHosts, ...(WILDCARDS.has(options.host) ? [] : [options.host])].map((host) =>
      host.replace(/^\[|\]$/g, '').toLowerCase(),
    ),
  );
  const anyOrigin = options.allowedOrigins.includes('*');
  const origins = new Set(options.allowedOrigins);
  return async (c, next) => {
    // Without a Host header (in-process requests), the URL's host stands in: node-server builds it from Host.
    const hostHeader = c.req.header('host') ?? new URL(c.req.url).host;
    const hostname = hostnameOf(hostHeader);
    if (!anyHost && (hostname === undefined || (!isLoopback(hostname) && !hosts.has(hostname)))) {
      return refuse(
        403,
        'host_not_allowed',
        `Host "${hostHeader}" is not allowed; add it to http.allowedHosts if it is yours`,
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !anyOrigin && !origins.has(origin)) {
      let allowed: boolean;
      try {
        const url = new URL(origin);
        allowed = isLoopback(url.hostname) || url.host.toLowerCase() === hostHeader.toLowerCase();
      } catch {
        allowed = false;
      }
      if (!allowed) {
        return refuse(
          403,
          'origin_not_allowed',
          `Origin "${origin}" is not allowed; add it to http.allowedOrigins if it is yours`,
        );
      }
    }
    await next();
  };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Requires `Authorization: Bearer <token>`; compares in constant time. */
export function bearerGuard(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !timingSafeEqual(digest((match[1] as string).trim()), expected)) {
      return refuse(
        401,
        'unauthorized',
        'missing or wrong bearer token: send "Authorization: Bearer <token>" with the token the server was started with (GROUNDWORK_TOKEN)',
        { 'www-authenticate': 'Bearer realm="groundwork"' },
      );
    }
    await next();
  };
}
