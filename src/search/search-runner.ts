// Runs searches from the store: starts them, resumes interrupted ones exactly once (finished experiments kept,
// unfinished ones followed, ideas not yet run run), pauses them on shutdown, cancels them on request.
import { setMaxListeners } from 'node:events';

import { z } from 'zod';

import { errorMessage, ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { SCHEMA_VERSION, type Search } from '../domain/records.js';
import { isEnded } from '../domain/states.js';
import { DEFAULT_PROFILE } from '../environments/manifest.js';
import type { SearchRunner, ServiceDeps } from '../services/deps.js';
import { getSearch } from '../services/inspect.js';
import { baselineRewardFor } from '../services/search-stats.js';
import { createRandom } from '../util/random.js';
import { createBudgets } from './search-budgets.js';
import type { SearchStrategy } from './search-context.js';
import { type Drive, searchTools } from './search-drive.js';
import { epochsContext } from './search-epochs.js';
import { storedRunnerOptions, takeRunnerOptions } from './search-options.js';
import { runSteady } from './search-steady.js';

/** `strategies` is injected (by name): src/ never imports strategies/. */
export function createSearchRunner(deps: ServiceDeps, strategies: Record<string, SearchStrategy>): SearchRunner {
  const live = new Map<string, { controller: AbortController; done: Promise<Search> }>();

  const strategyOf = (name: string): SearchStrategy => {
    const strategy = Object.hasOwn(strategies, name) ? strategies[name] : undefined;
    if (!strategy) {
      throw new ResearchError('bad_input', `unknown strategy "${name}"; known: ${Object.keys(strategies).join(', ')}`);
    }
    return strategy;
  };

  const execute = async (search: Search, signal: AbortSignal): Promise<Search> => {
    const save = async (): Promise<void> => {
      search.updatedAt = new Date().toISOString();
      await deps.store.searches.put(structuredClone(search));
    };
    try {
      const strategy = strategyOf(search.strategy);
      const runner = storedRunnerOptions(search.options);
      const { strategyOptions } = takeRunnerOptions(search.options);
      delete strategyOptions.profile;
      delete strategyOptions.seed;
      const options = strategy.options.parse(strategyOptions);
      const environment = await deps.environments.get(search.environment);
      const { metric } = environment.manifest;
      const ideas = await deps.store.ideas.list((idea) => idea.searchId === search.id);
      // Rejected duplicates were replaced when they were proposed: they are neither run nor counted again.
      const storedCandidates = ideas.filter((idea) => idea.arm !== 'control' && !search.duplicates?.[idea.id]);
      const profile = (search.options.profile as string | undefined) ?? DEFAULT_PROFILE;
      const drive: Drive = {
        deps,
        search,
        runner,
        profile,
        seed: (search.options.seed as number | undefined) ?? 1,
        signal,
        log: deps.log.child(`search:${search.id}`),
        metric,
        // Without a baseline of its own profile, a candidate only has to beat the best so far.
        baselineReward: baselineRewardFor(environment.manifest, profile),
        budgets: createBudgets(deps, search, runner),
        population: [],
        control: [],
        storedCandidates,
        storedControl: ideas.filter((idea) => idea.arm === 'control'),
        candidateIdeas: storedCandidates.length,
        standing: new Map(),
        ...searchTools(deps),
        save,
      };
      if (ideas.length > 0) drive.log.info('resuming a search from the store', { ideas: ideas.length });
      const random = createRandom(drive.seed);
      if (runner.mode === 'steady' && strategy.plan) {
        await runSteady(drive, strategy, options, random, deps.scheduler.slots);
      } else {
        await strategy.run(epochsContext(drive, random), options);
      }
      signal.throwIfAborted();
      search.state = 'succeeded';
    } catch (error) {
      if (signal.aborted) {
        search.state = signal.reason === 'cancel' ? 'cancelled' : 'paused';
      } else if (ResearchError.is(error, 'budget_exhausted')) {
        // Spending a budget is how a budgeted search is meant to end: cleanly, with what it measured.
        search.state = 'succeeded';
        search.stopped ??= { reason: 'budget_exhausted', message: error.message };
      } else {
        search.state = 'failed';
        search.error = errorMessage(error);
      }
    }
    if (search.state === 'cancelled') await cancelExperiments(search.id);
    await save();
    return search;
  };

  const cancelExperiments = async (searchId: string): Promise<void> => {
    const open = await deps.store.experiments.list(
      (e) => e.searchId === searchId && (e.state === 'queued' || e.state === 'running'),
    );
    for (const experiment of open) await deps.scheduler.cancel(experiment.id).catch(() => undefined);
  };

  const launch = (search: Search): Search => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // one listener per experiment the search follows
    const done = execute(search, controller.signal).finally(() => live.delete(search.id));
    live.set(search.id, { controller, done });
    return structuredClone(search);
  };

  const resume = async (searchId: string): Promise<Search> => {
    const running = live.get(searchId);
    if (running) return getSearch(deps, searchId);
    const search = await getSearch(deps, searchId);
    if (isEnded(search)) {
      throw new ResearchError(
        'bad_input',
        `search ${searchId} has ended (${search.state}); only a running or paused search resumes`,
      );
    }
    search.state = 'running';
    search.updatedAt = new Date().toISOString();
    await deps.store.searches.put(structuredClone(search));
    return launch(search);
  };

  return {
    async start(input) {
      const name = input.strategy ?? 'evolutionary';
      const strategy = strategyOf(name);
      const { runner, strategyOptions } = takeRunnerOptions(input.options);
      const merged = input.settings ? strategy.fromSettings(input.settings, strategyOptions) : strategyOptions;
      const parsed = strategy.options.safeParse(merged);
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
          ...runner,
          profile: input.profile ?? DEFAULT_PROFILE,
          seed: input.seed ?? 1,
        },
        state: 'running',
        epoch: 0,
        generation: 0,
        experimentIds: [],
        createdAt: now,
        updatedAt: now,
      };
      await deps.store.searches.put(structuredClone(search));
      return launch(search);
    },
    resume,
    async resumeAll() {
      const waiting = await deps.store.searches.list((s) => s.state === 'running' || s.state === 'paused');
      const resumed: Search[] = [];
      for (const search of waiting) {
        try {
          resumed.push(await resume(search.id));
        } catch (error) {
          deps.log.error('could not resume a search', { id: search.id, error: errorMessage(error) });
        }
      }
      return resumed;
    },
    async wait(searchId) {
      const running = live.get(searchId);
      if (running) return running.done;
      return getSearch(deps, searchId);
    },
    async cancel(searchId) {
      const running = live.get(searchId);
      if (running) {
        running.controller.abort('cancel');
        return running.done;
      }
      const search = await getSearch(deps, searchId);
      if (isEnded(search)) return search;
      // Paused (no process drives it): cancelling ends it and its unfinished experiments.
      search.state = 'cancelled';
      search.updatedAt = new Date().toISOString();
      await deps.store.searches.put(structuredClone(search));
      await cancelExperiments(searchId);
      return search;
    },
    async close() {
      // A shutdown pauses: the next daemon, or `search resume`, carries on where this one stopped.
      for (const running of live.values()) running.controller.abort('pause');
      await Promise.all([...live.values()].map((running) => running.done.catch(() => undefined)));
    },
  };
}
