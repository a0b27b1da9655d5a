// Serve one MCP server over stdin/stdout until the client closes stdin. Nothing else may write to stdout.
import type { Readable, Writable } from 'node:stream';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

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
  stdin.once('end', stop);
  stdin.once('close', stop);
  stdout.once('error', stop);
  await closed;
  stdin.off('end', stop);
  stdin.off('close', stop);
}
