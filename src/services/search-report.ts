// A search's status and report, in the JSON contracts scripts rely on (issue 12): read from the store only, so a
// second process can answer while another owns the data directory.
import { ResearchError } from '../domain/errors.js';
import type { Experiment, ExperimentRole, ExperimentState, Idea, Search, SearchState } from '../domain/records.js';
import type { ServiceDeps } from './deps.js';
import { baselineRewardFor, experimentIdFor, gpuHoursOf, mean, roleOf, seedStats } from './search-stats.js';

export type ReadDeps = Pick<ServiceDeps, 'store' | 'environments'>;

export interface SearchListItem {
  id: string;
  state: SearchState;
  strategy: string;
  environment: string;
  created_at: string;
}

export interface SearchStatusView {
  id: string;
  state: SearchState;
  strategy: string;
  environment: string;
  generation: number;
  counts: {
    ideas: number;
    rejected_duplicates: number;
    reused_results: number;
    experiments: number;
    succeeded: number;
    failed: number;
  };
  experiments: {
    id: string;
    idea_id: string;
    role: ExperimentRole;
    state: ExperimentState;
    metric: number | null;
    reward: number | null;
  }[];
}

export interface SearchReportView {
  id: string;
  state: SearchState;
  baseline: { value: number; std: number; runs: number } | null;
  best: {
    idea_id: string;
    title: string;
    metric_mean: number;
    metric_std: number;
    seeds: number;
    certified: boolean;
    improvement_sigma: number | null;
  } | null;
  generations: { generation: number; best_reward: number | null; mean_reward: number | null; execution_rate: number }[];
  control: { strategy: string; best_reward: number | null } | null;
  lift: number | null;
  cost: { usd: number; gpu_hours: number };
  lineage: { idea_id: string; parent_ids: string[] }[];
}

export function searchListItem(search: Search): SearchListItem {
  return {
    id: search.id,
    state: search.state,
    strategy: search.strategy,
    environment: search.environment,
    created_at: search.createdAt,
  };
}

interface SearchRecords {
  search: Search;
  ideas: readonly Idea[];
  experiments: readonly Experiment[];
}

/** The search's records as the store holds them (frozen, not copied): the views below only read them. */
async function load(deps: ReadDeps, id: string): Promise<SearchRecords> {
  const search = await deps.store.searches.get(id);
  if (!search) throw new ResearchError('not_found', `no search ${id}; "groundwork search list" shows them`);
  const [ideas, experiments] = await Promise.all([
    deps.store.ideas.view((idea) => idea.searchId === id),
    deps.store.experiments.view((e) => e.searchId === id),
  ]);
  return { search, ideas, experiments };
}

export async function searchStatus(deps: ReadDeps, id: string): Promise<SearchStatusView> {
  const { search, ideas, experiments } = await load(deps, id);
  return {
    id: search.id,
    state: search.state,
    strategy: search.strategy,
    environment: search.environment,
    generation: search.generation ?? search.epoch,
    counts: {
      ideas: ideas.filter((idea) => idea.arm !== 'control').length,
      rejected_duplicates: Object.keys(search.duplicates ?? {}).length,
      reused_results: Object.keys(search.reused ?? {}).length,
      experiments: experiments.length,
      succeeded: experiments.filter((e) => e.state === 'succeeded').length,
      failed: experiments.filter((e) => e.state === 'failed').length,
    },
    experiments: experiments.map((e) => ({
      id: e.id,
      idea_id: e.ideaId,
      role: roleOf(e),
      state: e.state,
      metric: e.result?.metric.value ?? null,
      reward: e.state === 'succeeded' ? (e.result?.reward ?? null) : null,
    })),
  };
}

async function costUsd(deps: ReadDeps, searchId: string): Promise<number> {
  const calls = await deps.store.llmCalls.view((call) => call.searchId === searchId);
  return calls.reduce((sum, call) => sum + call.costUsd, 0);
}

// A loop, not Math.max(...values): spreading a very large array overflows the stack.
const best = (values: number[]): number | null =>
  values.length === 0 ? null : values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);

export async function searchReport(deps: ReadDeps, id: string): Promise<SearchReportView> {
  const { search, ideas, experiments } = await load(deps, id);
  const environment = await deps.environments.get(search.environment);
  const { metric, baseline } = environment.manifest;
  const baselineReward = baselineRewardFor(environment.manifest, search.options.profile as string | undefined);
  const byId = new Map<string, Experiment>(experiments.map((e) => [e.id, e]));
  // A reused result is usually another search's (or a direct run's) experiment.
  for (const reusedId of Object.values(search.reused ?? {})) {
    const reused = byId.has(reusedId) ? undefined : await deps.store.experiments.get(reusedId);
    if (reused) byId.set(reused.id, reused);
  }
  // Rejected near-duplicates were replaced before they ran: they are no candidates (nor failed executions).
  const candidates = ideas.filter((idea) => idea.arm !== 'control' && !search.duplicates?.[idea.id]);
  // Each candidate's first seed: its own experiment, or the result it reused (looked up once per idea).
  const firstSeeds = new Map<Idea, Experiment | undefined>();
  for (const idea of candidates) {
    const own = byId.get(experimentIdFor(idea.id, 'candidate'));
    const reused = own ? undefined : search.reused?.[idea.id];
    firstSeeds.set(idea, own ?? (reused ? byId.get(reused) : undefined));
  }
  const firstSeed = (idea: Idea): Experiment | undefined => firstSeeds.get(idea);
  // σ of a baseline measured on another profile says nothing about this search's results.
  const comparable = baselineReward !== undefined;
  const rows = candidates.flatMap((idea) => {
    const candidate = firstSeed(idea);
    if (!candidate) return [];
    const stats = seedStats(candidate, byId.get(experimentIdFor(idea.id, 'certification')), metric, baselineReward);
    return stats ? [{ idea, candidate, stats }] : [];
  });
  // The best: a certified candidate by its mean over seeds; with none certified, the best single seed, so marked.
  const certified = rows.filter((row) => row.stats.certified);
  const pool = certified.length > 0 ? certified : rows;
  const top = pool.sort((a, b) => b.stats.rewardMean - a.stats.rewardMean)[0];
  const sign = metric.direction === 'min' ? -1 : 1;
  const generations = new Map<number, Idea[]>();
  for (const idea of candidates) {
    const g = idea.epoch ?? 0;
    const list = generations.get(g);
    if (list) list.push(idea);
    else generations.set(g, [idea]);
  }
  const rewardsOf = (list: Idea[]): number[] =>
    list.flatMap((idea) => {
      const e = firstSeed(idea);
      return e?.state === 'succeeded' && e.result ? [e.result.reward] : [];
    });
  const controlIdeas = ideas.filter((idea) => idea.arm === 'control');
  const controlRewards = controlIdeas.flatMap((idea) => {
    const e = byId.get(experimentIdFor(idea.id, 'control'));
    return e?.state === 'succeeded' && e.result ? [e.result.reward] : [];
  });
  const control = search.options.control
    ? { strategy: String(search.options.control), best_reward: best(controlRewards) }
    : null;
  const searchBest = best(rewardsOf(candidates));
  return {
    id: search.id,
    state: search.state,
    baseline: baseline ? { value: baseline.value, std: baseline.std, runs: baseline.runs } : null,
    best: top
      ? {
          idea_id: top.idea.id,
          title: top.idea.title,
          metric_mean: top.stats.metricMean,
          metric_std: top.stats.metricStd,
          seeds: top.stats.seeds,
          certified: top.stats.certified,
          improvement_sigma:
            comparable && baseline !== undefined && baseline.std > 0
              ? (sign * (top.stats.metricMean - baseline.value)) / baseline.std
              : null,
        }
      : null,
    generations: [...generations.entries()]
      .sort(([a], [b]) => a - b)
      .map(([generation, list]) => {
        const rewards = rewardsOf(list);
        return {
          generation,
          best_reward: best(rewards),
          mean_reward: rewards.length > 0 ? mean(rewards) : null,
          execution_rate: list.length > 0 ? rewards.length / list.length : 0,
        };
      }),
    control,
    // Lift: the search's best first-seed reward minus its control arm's (both single seeds, so on equal terms).
    lift: control && searchBest !== null && control.best_reward !== null ? searchBest - control.best_reward : null,
    cost: { usd: await costUsd(deps, search.id), gpu_hours: gpuHoursOf(experiments) },
    // A copy: the idea itself is the store's (frozen) record.
    lineage: candidates.map((idea) => ({ idea_id: idea.id, parent_ids: [...idea.parentIds] })),
  };
}

const fmt = (value: number | null | undefined, digits = 4): string =>
  value === null || value === undefined ? '—' : Number(value.toFixed(digits)).toString();

/** The report as markdown a person reads. */
export function reportMarkdown(report: SearchReportView, status: SearchStatusView): string {
  const lines = [`# Search ${report.id} (${report.state})`, ''];
  lines.push(`${status.strategy} on ${status.environment}, generation ${status.generation}.`);
  const c = status.counts;
  lines.push(
    `${c.ideas} ideas (${c.rejected_duplicates} rejected as duplicates, ${c.reused_results} reused results), ${c.experiments} experiments: ${c.succeeded} succeeded, ${c.failed} failed.`,
    '',
  );
  if (report.baseline) {
    lines.push(
      `Baseline: ${fmt(report.baseline.value)} ± ${fmt(report.baseline.std)} over ${report.baseline.runs} runs.`,
    );
  }
  if (report.best) {
    const b = report.best;
    const kind = b.certified ? `certified over ${b.seeds} seeds` : `single seed, not certified`;
    lines.push(
      `Best: **${b.title}** (${b.idea_id}): ${fmt(b.metric_mean)} ± ${fmt(b.metric_std)} (${kind})` +
        (b.improvement_sigma !== null
          ? `, ${fmt(b.improvement_sigma, 2)} baseline σ better than the baseline.`
          : report.baseline
            ? '; no improvement in baseline σ is given: the baseline was measured on another profile than this search runs, or has no spread (`groundwork env baseline` measures it).'
            : '.'),
    );
  } else lines.push('Best: none yet (no candidate succeeded).');
  if (report.control) {
    lines.push(
      `Control (${report.control.strategy}): best reward ${fmt(report.control.best_reward)}; lift of the search over it: ${fmt(report.lift)}.`,
    );
  }
  lines.push(`Cost: $${report.cost.usd.toFixed(4)} in model calls, ${fmt(report.cost.gpu_hours)} GPU-hours.`, '');
  lines.push('| generation | best reward | mean reward | execution rate |', '|---|---|---|---|');
  for (const g of report.generations) {
    lines.push(
      `| ${g.generation} | ${fmt(g.best_reward)} | ${fmt(g.mean_reward)} | ${(g.execution_rate * 100).toFixed(0)}% |`,
    );
  }
  const children = report.lineage.filter((entry) => entry.parent_ids.length > 0);
  if (children.length > 0) {
    lines.push('', 'Lineage:');
    for (const entry of children) lines.push(`- ${entry.idea_id} ← ${entry.parent_ids.join(', ')}`);
  }
  return lines.join('\n');
}
