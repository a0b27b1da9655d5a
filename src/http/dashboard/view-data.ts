// What each dashboard page shows, gathered from the services (store reads only): the /api/dashboard JSON, too.
import type { Experiment, ExperimentRole, FailureCategory, Idea, Search } from '../../domain/records.js';
import type { ResearchServices } from '../../services/research-services.js';
import type { SearchReportView } from '../../services/search-report.js';
import { baselineRewardFor, experimentIdFor, roleOf, seedStats } from '../../services/search-stats.js';
import {
  baselineBand,
  bestPath,
  type Evidence,
  evidenceOf,
  lineageNode,
  type LineageNodeView,
} from '../../services/search-view-data.js';
import type { Band } from './svg-chart.js';

export type { Evidence };

export interface SearchSummary {
  id: string;
  state: string;
  strategy: string;
  environment: string;
  created_at: string;
  generation: number;
  experiments: { total: number; ended: number; running: number; queued: number; failed: number };
  spend: { usd: number; gpu_hours: number };
  budget: { usd?: number; gpu_hours?: number; hours?: number };
  best: SearchReportView['best'];
  metric_name: string;
  /** Best reward of each generation, oldest first (the sparkline draws its running best). */
  best_rewards: (number | null)[];
}

export interface LeaderRow {
  rank: number;
  experiment_id: string;
  idea_id: string;
  title: string;
  role: ExperimentRole;
  state: string;
  metric: number | null;
  std: number | null;
  seeds: number;
  reward: number | null;
  beyond_noise: boolean | null;
  evidence: Evidence;
  failure: string | null;
}

export interface LineageNode extends LineageNodeView {
  experiment_id: string | null;
}

export interface SearchPageData extends SearchSummary {
  updated_at: string;
  error: string | null;
  stopped: string | null;
  direction: 'min' | 'max';
  report: SearchReportView;
  /** The baseline as rewards: mean ± std of its metric, through the reward rule. */
  band: Band | null;
  execution_rate: number | null;
  failures: { category: FailureCategory; count: number }[];
  leaderboard: LeaderRow[];
  leaderboard_total: number;
  lineage: LineageNode[];
  best_path: string[];
  best_experiment_id: string | null;
}

export interface ExperimentPageData {
  id: string;
  state: string;
  role: ExperimentRole | null;
  environment: string;
  profile: string;
  search_id: string | null;
  created_at: string;
  updated_at: string;
  devices: string[];
  sandbox_off: boolean;
  result: { metric: string; value: number; std: number; seeds: number; reward: number; baseline: number | null } | null;
  idea: { id: string; title: string; text: string; parent_ids: string[]; model: string; kind: string } | null;
  implementation: {
    id: string;
    status: string;
    model: string | null;
    files_changed: string[];
    error: string | null;
    attempts: {
      chain: number | null;
      revision: number | null;
      model: string | null;
      outcome: string;
      error: string | null;
    }[];
  } | null;
  diff: string;
  runs: {
    seed: number;
    state: string;
    attempt: number;
    started_at: string | null;
    ended_at: string | null;
    metric: number | null;
    curve: [number, number][];
    failure: string | null;
  }[];
  logs: { run: string; step: string; tail: string; truncated: boolean }[];
  failure: { category: string; message: string; log_tail: string } | null;
}

const LEADERBOARD_ROWS = 50;
const LOG_TAIL_LINES = 80;

const budgetOf = (options: Record<string, unknown>): SearchSummary['budget'] => {
  const n = (key: string) => (typeof options[key] === 'number' ? (options[key] as number) : undefined);
  return Object.fromEntries(
    Object.entries({ usd: n('budgetUsd'), gpu_hours: n('budgetGpuHours'), hours: n('budgetHours') }).filter(
      ([, v]) => v !== undefined,
    ),
  );
};

async function summary(
  services: ResearchServices,
  id: string,
): Promise<{ search: Search; view: SearchSummary; report: SearchReportView; experiments: Experiment[] }> {
  // One read of each: the report reads the store's records without copying them; the experiments are listed once.
  const [search, report, experiments] = await Promise.all([
    services.getSearch(id),
    services.searchReport(id),
    services.listExperiments({ searchId: id }),
  ]);
  const count = (state: string) => experiments.filter((e) => e.state === state).length;
  const metricName = experiments.find((e) => e.result)?.result?.metric.name ?? 'metric';
  const view: SearchSummary = {
    id: search.id,
    state: search.state,
    strategy: search.strategy,
    environment: search.environment,
    created_at: search.createdAt,
    generation: search.generation ?? search.epoch,
    experiments: {
      total: experiments.length,
      ended: experiments.length - count('queued') - count('running'),
      running: count('running'),
      queued: count('queued'),
      failed: count('failed'),
    },
    spend: report.cost,
    budget: budgetOf(search.options),
    best: report.best,
    metric_name: metricName,
    best_rewards: report.generations.map((g) => g.best_reward),
  };
  return { search, view, report, experiments };
}

export async function loadSearchList(services: ResearchServices): Promise<{ searches: SearchSummary[] }> {
  const searches = (await services.listSearches()).slice().reverse();
  const views = [];
  for (const search of searches) views.push((await summary(services, search.id)).view);
  return { searches: views };
}

export async function loadSearchPage(services: ResearchServices, id: string): Promise<SearchPageData> {
  const { search, view, report, experiments } = await summary(services, id);
  const { manifest } = await services.getEnvironment(search.environment);
  const { metric } = manifest;
  // The bar for certification, as the search itself used it: the baseline only on its own profile.
  const baselineReward = baselineRewardFor(manifest, search.options.profile as string | undefined);
  const byId = new Map(experiments.map((e) => [e.id, e]));
  const ideaIds = [...new Set([...report.lineage.map((l) => l.idea_id), ...experiments.map((e) => e.ideaId)])];
  const ideas = new Map<string, Idea>();
  for (const [i, idea] of (await Promise.all(ideaIds.map((ideaId) => services.getIdea(ideaId)))).entries()) {
    if (idea) ideas.set(ideaIds[i] as string, idea);
  }
  // Leaderboard: candidates (with their certification folded in) and the control arm; certification rows are folded.
  const rows: Omit<LeaderRow, 'rank'>[] = experiments
    .filter((e) => roleOf(e) !== 'certification')
    .map((e) => {
      const role = roleOf(e);
      const cert = role === 'candidate' ? byId.get(experimentIdFor(e.ideaId, 'certification')) : undefined;
      const stats = e.state === 'succeeded' ? seedStats(e, cert, metric, baselineReward) : undefined;
      return {
        experiment_id: e.id,
        idea_id: e.ideaId,
        title: ideas.get(e.ideaId)?.title ?? e.ideaId,
        role,
        state: e.state,
        metric: stats?.metricMean ?? e.result?.metric.value ?? null,
        std: stats ? stats.metricStd : null,
        seeds: stats?.seeds ?? 0,
        reward: stats?.rewardMean ?? (e.state === 'succeeded' ? (e.result?.reward ?? null) : null),
        beyond_noise: e.result?.baseline?.beyondNoise ?? null,
        evidence: evidenceOf(role, { certified: stats?.certified, certifying: stats?.pending }),
        failure: e.failure ? `${e.failure.category}: ${e.failure.message}` : null,
      };
    });
  const weight = (r: Omit<LeaderRow, 'rank'>) => (r.evidence === 'certified' ? 1 : 0);
  const byName = new Intl.Collator().compare; // what localeCompare does, without a collator per call
  rows.sort(
    (a, b) =>
      (b.reward ?? -Infinity) - (a.reward ?? -Infinity) ||
      weight(b) - weight(a) ||
      byName(a.experiment_id, b.experiment_id),
  );
  const failures = new Map<FailureCategory, number>();
  for (const e of experiments)
    if (e.failure) failures.set(e.failure.category, (failures.get(e.failure.category) ?? 0) + 1);
  const candidates = report.lineage.length;
  const succeeded = experiments.filter((e) => roleOf(e) === 'candidate' && e.state === 'succeeded').length;
  const lineage: LineageNode[] = report.lineage.map((l) => {
    const e = byId.get(experimentIdFor(l.idea_id, 'candidate'));
    const reward = e?.state === 'succeeded' ? (e.result?.reward ?? null) : null;
    return { ...lineageNode(l, ideas.get(l.idea_id), reward), experiment_id: e?.id ?? null };
  });
  return {
    ...view,
    updated_at: search.updatedAt,
    error: search.error ?? null,
    stopped: search.stopped?.message ?? null,
    direction: metric.direction,
    report,
    band: baselineBand(manifest, search.options.profile as string | undefined),
    execution_rate: candidates > 0 ? succeeded / candidates : null,
    failures: [...failures.entries()]
      .map(([category, count]) => ({ category, count }))
      .sort((a, b) => b.count - a.count),
    leaderboard: rows.slice(0, LEADERBOARD_ROWS).map((row, i) => ({ rank: i + 1, ...row })),
    leaderboard_total: rows.length,
    lineage,
    best_path: bestPath(lineage, report.best?.idea_id),
    best_experiment_id: lineage.find((n) => n.idea_id === report.best?.idea_id)?.experiment_id ?? null,
  };
}

const tail = (text: string, lines: number): string => text.split('\n').slice(-lines).join('\n');

export async function loadExperimentPage(services: ResearchServices, id: string): Promise<ExperimentPageData> {
  const e = await services.getExperiment(id);
  const [idea, implementation, logs] = await Promise.all([
    services.getIdea(e.ideaId),
    services.getImplementation(e.implementationId).catch(() => undefined),
    services.readExperimentLogs(id).catch(() => []),
  ]);
  const diff = implementation ? await services.readImplementationDiff(implementation.id).catch(() => '') : '';
  const r = e.result;
  return {
    id: e.id,
    state: e.state,
    role: e.searchId ? roleOf(e) : null,
    environment: e.environment,
    profile: e.profile,
    search_id: e.searchId ?? null,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    devices: e.devices ?? [],
    sandbox_off: e.sandbox === 'off',
    result: r
      ? {
          metric: r.metric.name,
          value: r.metric.value,
          std: r.metric.std,
          seeds: r.metric.seeds,
          reward: r.reward,
          baseline: r.baseline?.value ?? null,
        }
      : null,
    idea: idea
      ? {
          id: idea.id,
          title: idea.title,
          text: idea.text,
          parent_ids: idea.parentIds,
          model: idea.origin.model,
          kind: idea.origin.kind,
        }
      : null,
    implementation: implementation
      ? {
          id: implementation.id,
          status: implementation.status,
          model: implementation.model ?? null,
          files_changed: implementation.filesChanged,
          error: implementation.error ? `${implementation.error.category}: ${implementation.error.message}` : null,
          attempts: implementation.attempts.map((a) => ({
            chain: a.chain ?? null,
            revision: a.revision ?? null,
            model: a.model ?? null,
            outcome: a.outcome ?? (a.error ? 'failed' : 'passed'),
            error: a.error ?? null,
          })),
        }
      : null,
    diff,
    runs: e.runs.map((run) => ({
      seed: run.seed,
      state: run.state,
      attempt: run.attempt,
      started_at: run.startedAt ?? null,
      ended_at: run.endedAt ?? null,
      metric: run.metric ?? null,
      curve: run.curve ?? [],
      failure: run.failure ? `${run.failure.category}: ${run.failure.message}` : null,
    })),
    logs: logs.map((log) => ({
      run: log.run,
      step: log.step,
      tail: tail(log.text, LOG_TAIL_LINES),
      truncated: log.truncated || log.text.split('\n').length > LOG_TAIL_LINES,
    })),
    failure: e.failure
      ? { category: e.failure.category, message: e.failure.message, log_tail: e.failure.logTail }
      : null,
  };
}
