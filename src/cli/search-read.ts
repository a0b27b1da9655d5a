// `groundwork search list|status|report`: answered by the daemon when one runs, else read from the store unlocked.
import type { Search } from '../domain/records.js';
import type { DaemonInfo } from '../http/daemon-file.js';
import { callDaemonTool } from '../mcp/daemon-client.js';
import {
  reportMarkdown,
  searchListItem,
  type SearchListItem,
  searchReport,
  type SearchReportView,
  searchStatus,
  type SearchStatusView,
} from '../services/search-report.js';
import type { CommandIo } from './command.js';
import { table } from './format.js';
import { withReader } from './read-store.js';

type Values = { home?: string; config?: string; json?: boolean };

async function statusAndReport(
  values: Values,
  io: CommandIo,
  daemon: DaemonInfo | undefined,
  id: string,
): Promise<{ status: SearchStatusView; report: SearchReportView }> {
  if (daemon) {
    const output = await callDaemonTool(daemon, 'get_search_report', { search_id: id });
    return output as unknown as { status: SearchStatusView; report: SearchReportView };
  }
  return withReader(values, io.env, async (reader) => ({
    status: await searchStatus(reader, id),
    report: await searchReport(reader, id),
  }));
}

export async function listSearchesCommand(
  values: Values,
  io: CommandIo,
  daemon: DaemonInfo | undefined,
): Promise<number> {
  let items: SearchListItem[];
  if (daemon) {
    const output = (await callDaemonTool(daemon, 'list_searches', { limit: 200 })) as {
      searches: {
        search_id: string;
        status: Search['state'];
        strategy: string;
        environment: string;
        created_at: string;
      }[];
    };
    items = output.searches
      .map((s) => ({
        id: s.search_id,
        state: s.status,
        strategy: s.strategy,
        environment: s.environment,
        created_at: s.created_at,
      }))
      .reverse();
  } else {
    items = await withReader(values, io.env, async (reader) => (await reader.listSearches()).map(searchListItem));
  }
  if (values.json) io.stdout(JSON.stringify(items, null, 2));
  else if (items.length === 0) io.stdout('no searches yet; start one with "groundwork search start --environment E"');
  else {
    io.stdout(
      table(
        ['search', 'state', 'strategy', 'environment', 'created'],
        items.map((s) => [s.id, s.state, s.strategy, s.environment, s.created_at]),
      ),
    );
  }
  return 0;
}

export async function searchStatusCommand(
  values: Values,
  io: CommandIo,
  daemon: DaemonInfo | undefined,
  id: string,
): Promise<number> {
  const { status } = await statusAndReport(values, io, daemon, id);
  if (values.json) {
    io.stdout(JSON.stringify(status, null, 2));
    return 0;
  }
  const c = status.counts;
  io.stdout(
    `search ${status.id}: ${status.state}, ${status.strategy} on ${status.environment}, generation ${status.generation}`,
  );
  io.stdout(
    `ideas ${c.ideas} (duplicates rejected ${c.rejected_duplicates}, results reused ${c.reused_results}); experiments ${c.experiments}: ${c.succeeded} succeeded, ${c.failed} failed`,
  );
  if (status.experiments.length > 0) {
    io.stdout(
      table(
        ['experiment', 'idea', 'role', 'state', 'metric', 'reward'],
        status.experiments.map((e) => [
          e.id,
          e.idea_id,
          e.role,
          e.state,
          String(e.metric ?? '—'),
          String(e.reward ?? '—'),
        ]),
      ),
    );
  }
  return 0;
}

export async function searchReportCommand(
  values: Values,
  io: CommandIo,
  daemon: DaemonInfo | undefined,
  id: string,
): Promise<number> {
  const { status, report } = await statusAndReport(values, io, daemon, id);
  io.stdout(values.json ? JSON.stringify(report, null, 2) : reportMarkdown(report, status));
  return 0;
}
