// What show_search returns: the search report (as get_search_report has it) plus what the in-chat view draws —
// the baseline band as rewards, the leaderboard with its evidence (certified or single seed) and the lineage
// with titles. Read from the services only; the same JSON is the structured result for clients without MCP Apps.
import { z } from 'zod';

import { isActive } from '../../domain/states.js';
import type { ResearchServices } from '../../services/research-services.js';
import { reportMarkdown, type SearchReportView, type SearchStatusView } from '../../services/search-report.js';
import { experimentIdFor } from '../../services/search-stats.js';
import { baselineBand, bestPath, EVIDENCE, evidenceOf, lineageNode } from '../../services/search-view-data.js';
import { LeaderboardRowShape, leaderboardOutput } from '../../services/views.js';

/** Rows and lineage nodes a result carries at most (the view says how many more there are). */
export const LEADERBOARD_ROWS = 25;
export const LINEAGE_NODES = 400;

const Evidence = z
  .enum([...EVIDENCE, 'none'])
  .describe(
    'certified: more seeds confirmed it; certifying: its extra seeds are running; single-seed: one seed, not confirmed; control: the control arm; none: no result',
  );

const Nullable = z.number().nullable();

export const SearchViewShape = z.object({
  search_id: z.string(),
  updated_at: z.string(),
  status: z
    .looseObject({ state: z.string(), strategy: z.string(), environment: z.string(), generation: z.number() })
    .describe('as get_search_report returns it: generation, counts, every experiment with its role'),
  report: z
    .looseObject({
      baseline: z.object({ value: z.number(), std: z.number(), runs: z.number() }).nullable(),
      generations: z.array(z.looseObject({ generation: z.number(), best_reward: Nullable, mean_reward: Nullable })),
    })
    .describe('as get_search_report returns it: best (certified or not), generations, control and lift, cost, lineage'),
  metric: z.object({ name: z.string(), direction: z.enum(['min', 'max']) }),
  band: z
    .object({ low: z.number(), mid: z.number(), high: z.number() })
    .nullable()
    .describe('the baseline as rewards: its mean ± std through the reward rule (null without a baseline)'),
  leaderboard: z.array(
    LeaderboardRowShape.extend({ role: z.enum(['candidate', 'certification', 'control']), evidence: Evidence }),
  ),
  leaderboard_total: z.number().int().describe('rows in the whole leaderboard (the first 25 are listed)'),
  lineage: z.array(
    z.object({
      idea_id: z.string(),
      parent_ids: z.array(z.string()),
      title: z.string(),
      generation: z.number().int(),
      reward: Nullable,
    }),
  ),
  lineage_total: z.number().int(),
  best_path: z.array(z.string()).describe('idea ids from a root to the best idea'),
});

export type SearchView = Omit<z.output<typeof SearchViewShape>, 'status' | 'report'> & {
  status: SearchStatusView;
  report: SearchReportView;
};

export async function loadSearchView(services: ResearchServices, id: string): Promise<SearchView> {
  // getSearch first: its not_found error names the MCP tools that list searches.
  const search = await services.getSearch(id);
  const [status, report, rows, environment] = await Promise.all([
    services.searchStatus(id),
    services.searchReport(id),
    services.leaderboard({ searchId: id }),
    services.getEnvironment(search.environment),
  ]);
  const { metric } = environment.manifest;
  const byId = new Map(status.experiments.map((e) => [e.id, e]));
  const leaderboard = rows.slice(0, LEADERBOARD_ROWS).map((row) => {
    const role = byId.get(row.experimentId)?.role ?? 'candidate';
    const certification = byId.get(experimentIdFor(row.ideaId, 'certification'));
    const certifying = certification?.state === 'queued' || certification?.state === 'running';
    // A row with no result and no seeds on the way has no evidence (the dashboard calls it single-seed).
    const unmeasured = role !== 'control' && !row.certified && !certifying && row.state !== 'succeeded';
    const evidence: z.output<typeof Evidence> = unmeasured
      ? 'none'
      : evidenceOf(role, { certified: row.certified, certifying });
    return { ...leaderboardOutput(row), role, evidence };
  });
  const lineage = await Promise.all(
    report.lineage.slice(0, LINEAGE_NODES).map(async (entry) => {
      const reward = byId.get(experimentIdFor(entry.idea_id, 'candidate'))?.reward ?? null;
      return lineageNode(entry, await services.getIdea(entry.idea_id), reward);
    }),
  );
  return {
    search_id: search.id,
    updated_at: search.updatedAt,
    status,
    report,
    metric: { name: metric.name, direction: metric.direction },
    band: baselineBand(environment.manifest, search.options.profile as string | undefined),
    leaderboard,
    leaderboard_total: rows.length,
    lineage,
    lineage_total: report.lineage.length,
    best_path: bestPath(lineage, report.best?.idea_id),
  };
}

const fmt = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : Number(value.toFixed(4)).toString();

const EVIDENCE_TEXT: Record<z.output<typeof Evidence>, string> = {
  certified: 'certified',
  certifying: 'certifying',
  'single-seed': 'single seed',
  control: 'control arm',
  none: '',
};

/** The text result: the report as markdown, then the top of the leaderboard with each row's evidence. */
export function searchViewText(view: SearchView): string {
  const lines = [reportMarkdown(view.report, view.status), '', `Leaderboard (${view.metric.name}):`];
  if (view.leaderboard.length === 0) lines.push('(no experiments yet)');
  for (const row of view.leaderboard) {
    const value =
      row.metric === undefined
        ? (row.failure ?? row.status)
        : `${fmt(row.metric)}${row.std ? ` ± ${fmt(row.std)}` : ''}`;
    const evidence = EVIDENCE_TEXT[row.evidence];
    const seeds = row.evidence === 'certified' && row.seeds ? ` · ${row.seeds} seeds` : '';
    lines.push(`${row.rank}. ${row.title} (${row.experiment_id}): ${value}${evidence ? ` [${evidence}${seeds}]` : ''}`);
  }
  const more = view.leaderboard_total - view.leaderboard.length;
  if (more > 0) lines.push(`… ${more} more (get_leaderboard lists them all).`);
  return lines.join('\n');
}

export function searchViewGuide(view: SearchView): {
  summary: string;
  next?: { tool: string; arguments: Record<string, unknown> };
} {
  const { status, report } = view;
  const best = report.best
    ? `; best "${report.best.title.slice(0, 120)}" ${view.metric.name} ${fmt(report.best.metric_mean)}${report.best.certified ? ` (certified over ${report.best.seeds} seeds)` : ' (single seed, not certified)'}`
    : '; no candidate has succeeded yet';
  const head = `Search ${view.search_id} (${status.strategy} on ${status.environment}) is ${status.state}: generation ${status.generation}, ${status.counts.experiments} experiment(s)${best}`;
  if (isActive({ state: status.state })) {
    return {
      summary: `${head}. It is still running: call get_search with wait_seconds to follow it.`,
      next: { tool: 'get_search', arguments: { search_id: view.search_id, wait_seconds: 30 } },
    };
  }
  return { summary: `${head}.` };
}
