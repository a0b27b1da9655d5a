// MCP over Streamable HTTP with web-standard Request/Response: one transport and one server per client session.
import { randomUUID } from 'node:crypto';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

import { errorMessage } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';

export interface McpHttpHandler {
  handle(request: Request): Promise<Response>;
  /** Open sessions. */
  readonly size: number;
  close(): Promise<void>;
}

export interface McpHttpOptions {
  createServer(): McpServer;
  log: Logger;
  maxSessions?: number;
  /** Larger request bodies get 413 (the transport's own limit applies to later requests too). */
  maxBodyBytes?: number;
  /**
   * Unused: kept so callers that pass it still compile. When the table is full, the least recently used session with
   * no request or stream open is closed to make room, however recently it was used.
   */
  idleMs?: number;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  lastUsed: number;
  /** Requests whose response (or event stream) is still open: such a session is in use and never evicted. */
  open: number;
}

/** The response with a body that calls `done` once, when the body ends or the client stops reading it. */
function onBodyEnd(response: Response, done: () => void): Response {
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    done();
  };
  if (!response.body) {
    finish();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          finish();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export function createMcpHttpHandler(options: McpHttpOptions): McpHttpHandler {
  const sessions = new Map<string, Session>();
  const maxSessions = options.maxSessions ?? 100;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;

  const closeSession = async (id: string): Promise<void> => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.server.close().catch(() => undefined);
  };

  /** Room for one more session: when full, close the least recently used one that has nothing open. */
  const makeRoom = async (): Promise<boolean> => {
    if (sessions.size < maxSessions) return true;
    const oldest = [...sessions.entries()]
      .filter(([, session]) => session.open === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
    if (!oldest) return false;
    options.log.info('closing the least recently used idle MCP session to make room', { session: oldest[0] });
    await closeSession(oldest[0]);
    return true;
  };

  const initialize = async (request: Request): Promise<Response> => {
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > maxBodyBytes) return jsonRpcError(413, -32000, `request body over ${maxBodyBytes} bytes`);
    const text = await request.text();
    if (text.length > maxBodyBytes) return jsonRpcError(413, -32000, `request body over ${maxBodyBytes} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return jsonRpcError(400, -32700, `parse error: ${errorMessage(error)}`);
    }
    const initializing = Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body);
    if (!initializing) {
      return jsonRpcError(400, -32000, 'no mcp-session-id header: send an initialize request first to open a session');
    }
    if (!(await makeRoom())) {
      return jsonRpcError(
        503,
        -32000,
        `too many open sessions (${maxSessions}), all in use (a request or event stream open); close one (HTTP DELETE) or retry later`,
      );
    }
    const server = options.createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: maxBodyBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastUsed: Date.now(), open: 0 });
      },
      onsessionclosed: (id) => closeSession(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(request, { parsedBody: body });
    // An initialize the transport refused opened no session: drop its server.
    if (transport.sessionId === undefined) await server.close().catch(() => undefined);
    return response;
  };

  return {
    async handle(request) {
      const id = request.headers.get('mcp-session-id');
      if (id === null) {
        if (request.method !== 'POST') {
          return jsonRpcError(
            400,
            -32000,
            'no mcp-session-id header: send an initialize request first to open a session',
          );
        }
        return initialize(request);
      }
      const session = sessions.get(id);
      if (!session)
        return jsonRpcError(
          404,
          -32001,
          'session not found (it ended or the server restarted): initialize a new session',
        );
      session.lastUsed = Date.now();
      session.open++;
      const ended = (): void => {
        session.open--;
        session.lastUsed = Date.now();
      };
      try {
        return onBodyEnd(await session.transport.handleRequest(request), ended);
      } catch (error) {
        ended();
        throw error;
      }
    },
    get size() {
      return sessions.size;
    },
    async close() {
      await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
    },
  };
}
