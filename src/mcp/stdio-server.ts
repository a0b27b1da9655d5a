// Serve one MCP server over stdin/stdout until the client closes stdin. Nothing else may write to stdout.
import type { Readable, Writable } from 'node:stream';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export async function serveStdio(
  server: McpServer,
  streams: { stdin?: Readable; stdout?: Writable } = {},
): Promise<void> {
  const stdin = streams.stdin ?? process.stdin;
  const stdout = streams.stdout ?? process.stdout;
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  await server.connect(transport);
  // The SDK transport does not notice the end of stdin, and a vanished client turns writes into EPIPE.
  const stop = (): void => void server.close().catch(() => undefined);
  // A client that writes its requests and then closes stdin (a script) still gets its answers; a vanished
  // client shows up as a write error instead. Requests are counted in and answers out.
  const pending = new Set<string | number>();
  let ending = false;
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) pending.add(message.id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (!('method' in message) && 'id' in message && message.id !== undefined) pending.delete(message.id);
    if (ending && pending.size === 0) stop();
  };
  const endOfInput = (): void => {
    if (ending) return;
    ending = true;
    if (pending.size === 0) stop();
    else setTimeout(stop, 60_000).unref();
  };
  stdin.once('end', endOfInput);
  stdin.once('close', endOfInput);
  stdout.once('error', stop);
  await closed;
  stdin.off('end', endOfInput);
  stdin.off('close', endOfInput);
}
