// MCP test clients: the SDK's own Client wired to our server in-process, and a helper that unpacks tool results.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  type ClientCapabilities,
  CreateMessageRequestSchema,
  type CreateMessageRequest,
  type CreateMessageResult,
} from '@modelcontextprotocol/sdk/types.js';

import { createMcpServer } from '../../src/mcp/create-mcp-server.js';
import { ERROR_META_KEY } from '../../src/mcp/tool-errors.js';
import type { ResearchServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';

export interface ToolCall {
  isError: boolean;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  code?: string;
  raw: CallToolResult;
}

export function newClient(
  options: {
    capabilities?: ClientCapabilities;
    onSampling?: (params: CreateMessageRequest['params']) => CreateMessageResult | Promise<CreateMessageResult>;
  } = {},
): Client {
  const client = new Client(
    { name: 'groundwork-test', version: '1.0.0' },
    { capabilities: { ...(options.onSampling ? { sampling: {} } : {}), ...options.capabilities } },
  );
  const onSampling = options.onSampling;
  if (onSampling) client.setRequestHandler(CreateMessageRequestSchema, (request) => onSampling(request.params));
  return client;
}

/** A client connected in-process to a fresh MCP server over the given research server's services. */
export async function connectInMemory(
  research: Pick<ResearchServer, 'services'>,
  client: Client = newClient(),
): Promise<{ client: Client; close: () => Promise<void> }> {
  const server = createMcpServer({ services: async () => research.services, log: silentLogger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
  options?: RequestOptions,
): Promise<ToolCall> {
  const raw = (await client.callTool({ name, arguments: args }, CallToolResultSchema, options)) as CallToolResult;
  const text = raw.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
  const meta = raw._meta?.[ERROR_META_KEY] as { code?: string } | undefined;
  return { isError: raw.isError === true, text, data: raw.structuredContent, code: meta?.code, raw };
}

/** The text of a resource read (its first content). */
export function resourceText(result: { contents: ({ text: string } | { blob: string })[] }): string {
  const first = result.contents[0];
  return first && 'text' in first ? first.text : '';
}
