// Use cases over the cost ledger and outcomes: what models cost (per search, per model) and how often ideas run.
import type { Idea, Implementation, LlmCall } from '../domain/records.js';
import { isEnded } from '../domain/states.js';
import type { ServiceDeps } from './deps.js';

export interface CostTotals {
  calls: number;
  failedCalls: number;
  /** Calls to models missing from the price table (counted at $0). */
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  latencyMs: number;
}

export interface CostReport {
  total: CostTotals;
  byModel: (CostTotals & { provider: string; model: string; role: LlmCall['role'] })[];
}

function emptyTotals(): CostTotals {
  return {
    calls: 0,
    failedCalls: 0,
    unpricedCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: 0,
    latencyMs: 0,
  };
}

function add(totals: CostTotals, call: LlmCall): void {
  totals.calls += 1;
  if (call.outcome === 'error') totals.failedCalls += 1;
  else if (!call.priced) totals.unpricedCalls += 1;
  totals.inputTokens += call.inputTokens;
  totals.outputTokens += call.outputTokens;
  totals.cachedInputTokens += call.cachedInputTokens;
  totals.costUsd = Math.round((totals.costUsd + call.costUsd) * 1e8) / 1e8;
  totals.latencyMs += call.latencyMs;
}

export interface CostFilter {
  searchId?: string;
  ideaId?: string;
}

/** Totals of the ledger entries that match, overall and per provider, model and role. */
export async function llmCosts(deps: ServiceDeps, filter: CostFilter = {}): Promise<CostReport> {
  const calls = await deps.store.llmCalls.list(
    (call) =>
      (filter.searchId === undefined || call.searchId === filter.searchId) &&
      (filter.ideaId === undefined || call.ideaId === filter.ideaId),
  );
  const total = emptyTotals();
  const groups = new Map<string, CostReport['byModel'][number]>();
  for (const call of calls) {
    add(total, call);
    const key = `${call.provider}\u0000${call.model}\u0000${call.role}`;
    let group = groups.get(key);
    if (!group)
      groups.set(key, (group = { provider: call.provider, model: call.model, role: call.role, ...emptyTotals() }));
    add(group, call);
  }
  return { total, byModel: [...groups.values()].sort((a, b) => b.costUsd - a.costUsd) };
}

/** Dollars spent on model calls for one search so far. */
export async function searchCostUsd(deps: ServiceDeps, searchId: string): Promise<number> {
  return (await llmCosts(deps, { searchId })).total.costUsd;
}

export interface ExecutionRate {
  /** `provider/model` of the implementer (or the ideator, when grouped so). */
  model: string;
  ideas: number;
  /** Ideas with an edit that applied and passed pre-flight. */
  implemented: number;
  /** Ideas whose fate is known: no edit could be made, or an experiment ended. */
  settled: number;
  /** Ideas with a succeeded experiment: a valid run with a result. */
  succeeded: number;
  /** succeeded / settled (0 when nothing settled yet). */
  executionRate: number;
}

/** Execution rate per model: of the ideas each model handled, how many reached a valid run. */
export async function executionRates(
  deps: ServiceDeps,
  filter: { searchId?: string; environment?: string; by?: 'implementer' | 'ideator' } = {},
): Promise<ExecutionRate[]> {
  const ideas = new Map(
    (
      await deps.store.ideas.list(
        (idea) =>
          (filter.searchId === undefined || idea.searchId === filter.searchId) &&
          (filter.environment === undefined || idea.environment === filter.environment),
      )
    ).map((idea) => [idea.id, idea] as const),
  );
  const implementations = await deps.store.implementations.list((i) => ideas.has(i.ideaId));
  const experiments = await deps.store.experiments.list((e) => ideas.has(e.ideaId));
  const groupOf = (implementation: Implementation, idea: Idea): string =>
    filter.by === 'ideator'
      ? `${idea.origin.provider}/${idea.origin.model}`
      : `${implementation.implementer}/${implementation.model ?? 'unknown'}`;
  const perGroup = new Map<string, Map<string, { implemented: boolean; settled: boolean; succeeded: boolean }>>();
  for (const implementation of implementations) {
    const idea = ideas.get(implementation.ideaId) as Idea;
    const group = groupOf(implementation, idea);
    const states = perGroup.get(group) ?? new Map();
    perGroup.set(group, states);
    const state = states.get(idea.id) ?? { implemented: false, settled: false, succeeded: false };
    states.set(idea.id, state);
    if (implementation.status === 'failed') state.settled = true;
    else state.implemented = true;
    for (const experiment of experiments.filter((e) => e.implementationId === implementation.id)) {
      if (experiment.state === 'succeeded') state.succeeded = true;
      // A cancelled run says nothing about the idea: it leaves the idea unsettled.
      if (isEnded(experiment) && experiment.state !== 'cancelled') state.settled = true;
    }
  }
  return [...perGroup.entries()]
    .map(([model, states]) => {
      const values = [...states.values()];
      const settled = values.filter((state) => state.settled || state.succeeded).length;
      const succeeded = values.filter((state) => state.succeeded).length;
      return {
        model,
        ideas: values.length,
        implemented: values.filter((state) => state.implemented).length,
        settled,
        succeeded,
        executionRate: settled === 0 ? 0 : succeeded / settled,
      };
    })
    .sort((a, b) => a.model.localeCompare(b.model));
}
