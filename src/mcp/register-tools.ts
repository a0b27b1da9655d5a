// Adapt tool definitions to the SDK: schemas, annotations from the kind, the call context, and error results.
import { fileURLToPath } from 'node:url';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  type ContentBlock,
  CreateMessageResultSchema,
  ListRootsResultSchema,
  type ServerNotification,
  type ServerRequest,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';

import type { ToolContext, ToolDefinition, ToolKind, ToolLink, ToolLog } from '../../tools/define-tool.js';
import { GuideFields, guideOf } from '../../tools/index.js';
import type { ResearchServices } from '../services/research-services.js';
import type { Logger } from '../util/logger.js';
import { type SamplingClient, withSamplingClient } from './sampling-provider.js';
import { errorResult } from './tool-errors.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolRuntime {
  /** The services; rejects with an actionable error when they cannot be opened (e.g. the store is locked). */
  services(): Promise<ResearchServices>;
  /** The server's own log (stderr). */
  log: Logger;
}

const ANNOTATIONS: Record<ToolKind, Omit<ToolAnnotations, 'title'>> = {
  read: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  write: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  generate: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  cancel: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export function annotationsFor(tool: Pick<ToolDefinition, 'title' | 'kind'>): ToolAnnotations {
  return { title: tool.title, ...ANNOTATIONS[tool.kind] };
}

function clientLog(server: McpServer, log: Logger, extra: Extra): ToolLog {
  const send = (level: 'debug' | 'info' | 'warning', message: string, fields?: Record<string, unknown>): void => {
    void server
      .sendLoggingMessage(
        { level, logger: 'groundwork', data: fields ? { message, ...fields } : message },
        extra.sessionId,
      )
      .catch(() => undefined);
  };
  return {
    debug(message, fields) {
      log.debug(message, fields);
      send('debug', message, fields);
    },
    info(message, fields) {
      log.info(message, fields);
      send('info', message, fields);
    },
    warn(message, fields) {
      log.warn(message, fields);
      send('warning', message, fields);
    },
  };
}

/** The calling client as a sampling target: on the call's own stream while it lasts, then on the session. */
function samplingClient(server: McpServer, extra: Extra, active: () => boolean): SamplingClient {
  const info = server.server.getClientVersion();
  return {
    name: info ? `the client "${info.name}"` : 'this client',
    supportsSampling: () => server.server.getClientCapabilities()?.sampling !== undefined,
    createMessage: (params, options) =>
      active()
        ? extra.sendRequest({ method: 'sampling/createMessage', params }, CreateMessageResultSchema, options)
        : server.server.createMessage(params, options),
  };
}

/** A `resource_link` content block: clients fetch the resource (resources/read) when they need it. */
const linkBlock = (link: ToolLink): ContentBlock => ({ type: 'resource_link', ...link });

async function callTool(
  server: McpServer,
  tool: ToolDefinition,
  args: Record<string, unknown>,
  extra: Extra,
  runtime: ToolRuntime,
): Promise<CallToolResult> {
  const log = runtime.log.child(`tool:${tool.name}`);
  const started = Date.now();
  let active = true;
  try {
    const progressToken = extra._meta?.progressToken;
    const context: ToolContext = {
      services: await runtime.services(),
      signal: extra.signal,
      log: clientLog(server, log, extra),
      async progress(progress, total, message) {
        if (progressToken === undefined || extra.signal.aborted) return;
        await extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } })
          .catch(() => undefined);
      },
      async confirm(message) {
        if (server.server.getClientCapabilities()?.elicitation?.form === undefined) return undefined;
        const answer = await server.server.elicitInput(
          { mode: 'form', message, requestedSchema: { type: 'object', properties: {} } },
          { relatedRequestId: extra.requestId, signal: extra.signal },
        );
        return answer.action === 'accept';
      },
      async roots() {
        if (server.server.getClientCapabilities()?.roots === undefined) return [];
        const listed = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, {
          signal: extra.signal,
        });
        return listed.roots.filter((root) => root.uri.startsWith('file://')).map((root) => fileURLToPath(root.uri));
      },
    };
    const output = await withSamplingClient(
      samplingClient(server, extra, () => active),
      () => tool.handle(context, args),
    );
    return {
      content: [{ type: 'text', text: tool.render(output) }, ...(tool.links?.(output) ?? []).map(linkBlock)],
      structuredContent: { ...output, ...guideOf(tool, output) },
    };
  } catch (error) {
    return errorResult(error, extra.signal, log);
  } finally {
    active = false;
    log.debug('call ended', { ms: Date.now() - started });
  }
}

export function registerTools(server: McpServer, tools: readonly ToolDefinition[], runtime: ToolRuntime): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output.extend(GuideFields),
        annotations: annotationsFor(tool),
      },
      (args: Record<string, unknown>, extra: Extra) => callTool(server, tool, args, extra, runtime),
    );
  }
}
