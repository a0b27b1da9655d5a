// Runs a search: a strategy driving a SearchContext over the services, with its state kept in the store.
import { z } from 'zod';

import { errorMessage, ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { MAX_IDEAS_PER_CALL } from '../domain/limits.js';
import { rewardOf } from '../domain/metric.js';
import { type Idea, SCHEMA_VERSION, type Search } from '../domain/records.js';
import { isEnded } from '../domain/states.js';
import { DEFAULT_PROFILE } from '../environments/manifest.js';
import type { SearchRunner, ServiceDeps, StartSearchInput } from '../services/deps.js';
import { runExperiment } from '../services/experiments.js';
import { proposeIdeas } from '../services/ideas.js';
import { implementIdea } from '../services/implementations.js';
import { getSearch } from '../services/inspect.js';
import { createRandom } from '../util/random.js';
import { createLlmBudget, takeBudgetOption } from './llm-budget.js';
import type { Evaluation, SearchContext, SearchStrategy } from './search-context.js';

/** `strategies` is injected (by name): src/ never imports strategies/. */
export function createSearchRunner(deps: ServiceDeps, strategies: Record<string, SearchStrategy>): SearchRunner {
  const live = new Map<string, { controller: AbortController; done: Promise<Search> }>();

  const execute = async (
    search: Search,
    strategy: SearchStrategy,
    options: unknown,
    input: StartSearchInput,
    signal: AbortSignal,
  ): Promise<Search> => {
    const environment = await deps.environments.get(search.environment);
    const { metric, baseline } = environment.manifest;
    const population: Evaluation[] = [];
    const budget = createLlmBudget(deps, search.id, search.options.budgetUsd as number | undefined);
    const save = async (): Promise<void> => {
      search.updatedAt = new Date().toISOString();
      await deps.store.searches.put(structuredClone(search));
    };
    const evaluateOne = async (idea: Idea): Promise<Evaluation> => {
      const spent = await budget.spentMessage();
      if (spent) return { idea, failure: { category: 'cancelled', message: `not implemented: ${spent}` } };
      const implementation = await implementIdea(deps, { ideaId: idea.id }, signal);
      if (implementation.status !== 'ready') {
        return {
          idea,
          implementationId: implementation.id,
          failure: implementation.error ?? { category: 'edit_refused', message: 'no edit' },
        };
      }
      const queued = await runExperiment(deps, {
        implementationId: implementation.id,
        searchId: search.id,
        profile: input.profile,
      });
      search.experimentIds.push(queued.id);
      await save();
      const onAbort = (): void => void deps.scheduler.cancel(queued.id).catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      let experiment = await deps.scheduler.waitFor(queued.id, { signal });
      signal.removeEventListener('abort', onAbort);
      if (!isEnded(experiment)) experiment = await deps.scheduler.cancel(queued.id);
      // The metric and reward as the scheduler stored them when the experiment ended (reward/compute-reward.ts).
      const result = experiment.result;
      return experiment.state === 'succeeded' && result
        ? { idea, implementationId: implementation.id, experiment, metric: result.metric.value, reward: result.reward }
        : {
            idea,
            implementationId: implementation.id,
            experiment,
            failure: experiment.failure ?? { category: 'infrastructure', message: 'no result' },
          };
    };
    const context: SearchContext = {
      searchId: search.id,
      environment: {
        name: search.environment,
        metric,
        baseline: baseline ? rewardOf(baseline.value, metric) : undefined,
      },
      random: createRandom(input.seed ?? 1),
      signal,
      log: deps.log.child(`search:${search.id}`),
      async propose(request) {
        const ideas: Idea[] = [];
        // One proposal call asks for at most MAX_IDEAS_PER_CALL ideas: a bigger batch takes several calls.
        for (let offset = 0; offset < request.count; offset += MAX_IDEAS_PER_CALL) {
          signal.throwIfAborted();
          await budget.assertAvailable();
          const proposed = await proposeIdeas(
            deps,
            {
              environment: search.environment,
              count: Math.min(MAX_IDEAS_PER_CALL, request.count - offset),
              kind: request.kind,
              parentIds: request.parents?.map((parent) => parent.idea.id),
              searchId: search.id,
              epoch: request.epoch,
              seed: (input.seed ?? 1) * 1000 + population.length + request.epoch + offset,
            },
            signal,
          );
          ideas.push(...proposed);
        }
        return ideas;
      },
      async evaluate(ideas) {
        // One idea's infrastructure error (e.g. the model's API is down) fails that idea, not its siblings.
        const evaluations = await Promise.all(
          ideas.map((idea) =>
            evaluateOne(idea).catch((error: unknown): Evaluation => {
              if (signal.aborted) throw error;
              return { idea, failure: { category: 'infrastructure', message: errorMessage(error) } };
            }),
          ),
        );
        population.push(...evaluations);
        return evaluations;
      },
      population: () => population,
      async setEpoch(epoch) {
        search.epoch = epoch;
        await save();
      },
    };
    try {
      await strategy.run(context, options);
      search.state = signal.aborted ? 'cancelled' : 'succeeded';
    } catch (error) {
      search.state = signal.aborted ? 'cancelled' : 'failed';
      if (!signal.aborted && ResearchError.is(error, 'budget_exhausted')) {
        // Spending the budget is how a budgeted search is meant to end: cleanly, with what it measured.
        search.state = 'succeeded';
        search.stopped = { reason: 'budget_exhausted', message: error.message };
      } else if (!signal.aborted) search.error = errorMessage(error);
    }
    await save();
    return search;
  };

  return {
    async start(input) {
      const name = input.strategy ?? 'evolutionary';
      const strategy = strategies[name];
      if (!strategy)
        throw new ResearchError(
          'bad_input',
          `unknown strategy "${name}"; known: ${Object.keys(strategies).join(', ')}`,
        );
      const { budgetUsd, strategyOptions } = takeBudgetOption(input.options);
      const parsed = strategy.options.safeParse(strategyOptions);
      if (!parsed.success)
        throw new ResearchError('bad_input', `invalid options for ${name}:\n${z.prettifyError(parsed.error)}`);
      await deps.environments.get(input.environment);
      const now = new Date().toISOString();
      const search: Search = {
        id: newId('search'),
        schemaVersion: SCHEMA_VERSION,
        environment: input.environment,
        strategy: name,
        options: {
          ...(parsed.data as Record<string, unknown>),
          ...(budgetUsd === undefined ? {} : { budgetUsd }),
          profile: input.profile ?? DEFAULT_PROFILE,
          seed: input.seed ?? 1,
        },
        state: 'running',
        epoch: 0,
        experimentIds: [],
        createdAt: now,
        updatedAt: now,
      };
      await deps.store.searches.put(structuredClone(search));
      const controller = new AbortController();
      const done = execute(search, strategy, parsed.data, input, controller.signal).finally(() =>
        live.delete(search.id),
      );
      live.set(search.id, { controller, done });
      return structuredClone(search);
    },
    async wait(searchId) {
      const running = live.get(searchId);
      if (running) return running.done;
      return getSearch(deps, searchId);
    },
    async cancel(searchId) {
      const running = live.get(searchId);
      if (running) {
        running.controller.abort();
        return running.done;
      }
      return getSearch(deps, searchId);
    },
    async close() {
      for (const running of live.values()) running.controller.abort();
      await Promise.all([...live.values()].map((running) => running.done.catch(() => undefined)));
    },
  };
}
