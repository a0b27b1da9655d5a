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
    if (isInitializeRequest(message) && isJSONRPCRequest(message)) initializeId = message.id;
    http.send(message).catch((error: unknown) => {
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
    }
    void stdio.send(message).catch(() => void stop(true));
  };
  http.onerror = (error) => options.log.debug('daemon stream', { error: errorMessage(error) });
  stdio.onerror = (error) => options.log.warn('stdio', { error: errorMessage(error) });
  stdio.onclose = () => void stop(true);

  await http.start();
  await stdio.start();
  stdin.once('end', () => void stop(true));
  stdin.once('close', () => void stop(true));
  return done;
}
