// Calls one MCP tool on the running daemon (the CLI's `search` commands forward to it) and returns its structured output.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { type ErrorCode, ResearchError } from '../domain/errors.js';

export interface DaemonAddress {
  url: string;
  token?: string;
}

export async function callDaemonTool(
  daemon: DaemonAddress,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', daemon.url), {
    requestInit: daemon.token ? { headers: { authorization: `Bearer ${daemon.token}` } } : undefined,
  });
  const client = new Client({ name: 'groundwork-cli', version: '0.1.0' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name, arguments: args });
    const structured = (result.structuredContent ?? {}) as Record<string, unknown>;
    if (result.isError) {
      const content = result.content as { type: string; text?: string }[] | undefined;
      const text = content?.find((part) => part.type === 'text')?.text ?? `${name} failed`;
      // The text is `code: message` (tool-errors.ts).
      const match = /^([a-z_]+): ([\s\S]*)$/.exec(text);
      throw new ResearchError((match?.[1] ?? 'bad_input') as ErrorCode, match?.[2] ?? text);
    }
    return structured;
  } finally {
    await client.close().catch(() => undefined);
  }
}
