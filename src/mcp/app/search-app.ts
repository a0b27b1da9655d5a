// The search view inside the chat (MCP Apps, SEP-1865): the tool show_search names the ui:// resource that hosts
// (Claude Desktop, VS Code, Cursor, ChatGPT) render in a sandboxed iframe next to its result; the app draws the
// result's JSON and calls show_search again through the host to refresh. Clients without MCP Apps ignore the
// `_meta.ui` fields and get the same text and structured result as from any other tool.
import { RESOURCE_MIME_TYPE, registerAppResource, registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { GuideFields } from '../../../tools/index.js';
import { annotationsFor, type ToolRuntime } from '../register-tools.js';
import { errorResult } from '../tool-errors.js';
import { SEARCH_APP_HTML } from './search-app-html.js';
import { loadSearchView, SearchViewShape, searchViewGuide, searchViewText } from './search-view.js';

export const SEARCH_APP_URI = 'ui://groundwork/search.html';
export const SHOW_SEARCH = 'show_search';
/** `text/html;profile=mcp-app`: the MIME type the MCP Apps spec gives an app's HTML. */
export const SEARCH_APP_MIME = RESOURCE_MIME_TYPE;

const TITLE = 'Show a search (chart, leaderboard, lineage)';

/** The resource's `_meta.ui`: no network origins (everything is inline), and a border around the view. */
const RESOURCE_UI = { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true };

export function registerSearchApp(server: McpServer, runtime: ToolRuntime): void {
  registerAppResource(
    server,
    'search-app',
    SEARCH_APP_URI,
    {
      title: 'Search view (MCP App)',
      description:
        'The interactive view show_search opens in clients with MCP Apps: reward per generation against the baseline band and the control arm, the leaderboard (certified or single seed) and the lineage.',
      mimeType: RESOURCE_MIME_TYPE,
      _meta: { ui: RESOURCE_UI },
    },
    (uri): ReadResourceResult => ({
      contents: [{ uri: uri.href, mimeType: RESOURCE_MIME_TYPE, text: SEARCH_APP_HTML, _meta: { ui: RESOURCE_UI } }],
    }),
  );

  registerAppTool(
    server,
    SHOW_SEARCH,
    {
      title: TITLE,
      description:
        'Shows a search as an interactive view in clients that support MCP Apps (Claude Desktop, VS Code, Cursor): best and mean reward per generation against the baseline band and the control arm, the leaderboard with certified results told apart from single-seed ones, and the lineage of ideas; the view refreshes itself. Other clients get the search report as text and JSON (as get_search_report, plus the leaderboard and lineage). Returns at once; use get_search with wait_seconds to wait for a search.',
      inputSchema: { search_id: z.string().min(1).max(100).describe('id from run_search or list_searches') },
      outputSchema: SearchViewShape.extend(GuideFields),
      annotations: annotationsFor({ title: TITLE, kind: 'read' }),
      _meta: { ui: { resourceUri: SEARCH_APP_URI } },
    },
    async ({ search_id }, extra): Promise<CallToolResult> => {
      const log = runtime.log.child(`tool:${SHOW_SEARCH}`);
      try {
        const view = await loadSearchView(await runtime.services(), search_id);
        return {
          content: [{ type: 'text', text: searchViewText(view) }],
          structuredContent: { ...view, ...searchViewGuide(view) },
        };
      } catch (error) {
        return errorResult(error, extra.signal, log);
      }
    },
  );
}
