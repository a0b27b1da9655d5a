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

/** The cookie a browser keeps the token in, for the dashboard's GET requests (never for /mcp). */
export const TOKEN_COOKIE = 'groundwork_token';

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Requires `Authorization: Bearer <token>`; compares in constant time. A browser, which cannot send that header on
 * a navigation, may open any dashboard page once with `?token=<token>`: it gets the token as an HttpOnly,
 * SameSite=Strict cookie and a redirect to the same page without it; the cookie counts for GET requests outside /mcp.
 */
export function bearerGuard(token: string): MiddlewareHandler {
  const expected = digest(token);
  const matches = (value: string | undefined): boolean =>
    value !== undefined && timingSafeEqual(digest(value.trim()), expected);
  return async (c, next) => {
    const browser = c.req.method === 'GET' && !c.req.path.startsWith('/mcp');
    if (browser && matches(c.req.query('token'))) {
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return new Response(null, {
        status: 303,
        headers: {
          location: `${url.pathname}${url.search}`,
          'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
          'referrer-policy': 'no-referrer',
        },
      });
    }
    if (browser && matches(cookieValue(c.req.header('cookie'), TOKEN_COOKIE))) return next();
    const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !matches(match[1])) {
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
