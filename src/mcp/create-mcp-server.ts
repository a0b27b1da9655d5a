// One MCP server per client session: tools, resources, prompts and notices over the shared services.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import { allTools } from '../../tools/index.js';
import type { ToolDefinition } from '../../tools/define-tool.js';
import { registerSearchApp } from './app/search-app.js';
import { attachExperimentNotices } from './experiment-notices.js';
import { registerPrompts } from './register-prompts.js';
import { registerResources } from './register-resources.js';
import { registerTools, type ToolRuntime } from './register-tools.js';
import { SERVER_INFO, SERVER_INSTRUCTIONS } from './server-info.js';

export interface McpServerOptions extends ToolRuntime {
  tools?: readonly ToolDefinition[];
}

export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { logging: {} },
    instructions: SERVER_INSTRUCTIONS,
    // Bounds the work of validating one call's arguments (oversized arrays and objects).
    maxToolInputElements: 10_000,
  });
  registerTools(server, options.tools ?? allTools, options);
  registerResources(server, options);
  // show_search and its ui:// view (MCP Apps); clients without MCP Apps use it as a plain read tool.
  registerSearchApp(server, options);
  registerPrompts(server, options);
  attachExperimentNotices(server, options);
  return server;
}
