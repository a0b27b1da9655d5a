// Forward a stdio MCP client to a running daemon's Streamable HTTP endpoint, message for message.
import type { Readable, Writable } from 'node:stream';

import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

import { errorMessage } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';

export interface BridgeOptions {
  url: URL;
  token?: string;
  log: Logger;
  stdin?: Readable;
  stdout?: Writable;
}

/** Resolves when the client closes stdin or the daemon goes away. */
export async function bridgeStdioToHttp(options: BridgeOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdio = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const http = new StreamableHTTPClientTransport(options.url, {
    requestInit: options.token ? { headers: { authorization: `Bearer ${options.token}` } } : undefined,
  });
  let initializeId: RequestId | undefined;
  /** Requests sent to the daemon and not yet answered: a client that closes stdin still gets these answers. */
  const pending = new Set<RequestId>();
  let closing = false;
  /** Later messages wait for the initialize answer, which carries the session id the daemon requires. */
  let sessionReady: Promise<void> = Promise.resolve();
  let markReady: () => void = () => undefined;
  let finished = false;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const stop = async (terminate: boolean): Promise<void> => {
    if (finished) return;
    finished = true;
    if (terminate) await http.terminateSession().catch(() => undefined);
    await http.close().catch(() => undefined);
    await stdio.close().catch(() => undefined);
    finish();
  };

  stdio.onmessage = (message: JSONRPCMessage) => {
    const initializing = isInitializeRequest(message) && isJSONRPCRequest(message);
    if (initializing) {
      initializeId = message.id;
      sessionReady = new Promise((resolve) => (markReady = resolve));
    }
    if (isJSONRPCRequest(message)) pending.add(message.id);
    const sent = initializing ? http.send(message) : sessionReady.then(() => http.send(message));
    sent.catch((error: unknown) => {
      if (initializing) markReady();
      if (isJSONRPCRequest(message)) pending.delete(message.id);
      options.log.warn('the daemon did not take a message', { error: errorMessage(error) });
      if (isJSONRPCRequest(message)) {
        void stdio
          .send({
            jsonrpc: '2.0',
            id: message.id,
            error: {
              code: -32603,
              message: `the groundwork daemon at ${options.url.origin} did not answer (${errorMessage(error)}); restart the MCP server`,
            },
          })
          .catch(() => undefined);
      }
    });
  };
  http.onmessage = (message: JSONRPCMessage) => {
    // The HTTP transport must send the negotiated protocol version on every later request.
    if (isJSONRPCResultResponse(message) && initializeId !== undefined && message.id === initializeId) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') http.setProtocolVersion(version);
      markReady();
    }
    if ('id' in message && !('method' in message)) pending.delete(message.id as RequestId);
    void stdio
      .send(message)
      .then(() => {
        if (closing && pending.size === 0) void stop(true);
      })
      .catch(() => void stop(true));
  };
  http.onerror = (error) => options.log.debug('daemon stream', { error: errorMessage(error) });
  stdio.onerror = (error) => options.log.warn('stdio', { error: errorMessage(error) });
  stdio.onclose = () => void stop(true);

  await http.start();
  await stdio.start();
  // The client is done sending: answer what it is still waiting for (no tool waits over MAX_WAIT_SECONDS), then stop.
  const closeWhenAnswered = (): void => {
    if (closing) return;
    closing = true;
    if (pending.size === 0) void stop(true);
    else setTimeout(() => void stop(true), 60_000).unref();
  };
  stdin.once('end', closeWhenAnswered);
  stdin.once('close', closeWhenAnswered);
  return done;
}
