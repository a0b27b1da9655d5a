// The read-only JSON API under /api: health, environments, experiments (with logs), searches and leaderboards.
import { Hono } from 'hono';

import { ResearchError } from '../domain/errors.js';
import type { Experiment, Search } from '../domain/records.js';
import { ExperimentState } from '../domain/states.js';
import type { ResearchServices } from '../services/research-services.js';
import {
  environmentListingOutput,
  environmentOutput,
  leaderboardOutput,
  rewardOutput,
  searchOutput,
} from '../services/views.js';

export interface ApiOptions {
  services: ResearchServices;
  /** What /api/health reports, so a client can tell this daemon serves the data directory it expects. */
  health: { name: string; version: string; home: string; pid: number };
}

// The same views as the MCP tools (never raw records: no executor handles), plus the `id` a REST client expects.
const experimentView = (experiment: Experiment) => ({ id: experiment.id, ...rewardOutput(experiment) });
const searchView = (search: Search) => ({ id: search.id, ...searchOutput(search) });

const STATUS: Partial<Record<string, 400 | 404 | 409>> = {
  bad_input: 400,
  not_found: 404,
  environment_unknown: 404,
  store_locked: 409,
};

export function createApi({ services, health }: ApiOptions): Hono {
  const api = new Hono();

  // The data directory stays: the stdio bridge checks it to know the daemon serves its store (daemon-file.ts). The pid
  // and other process internals do not leave the machine's daemon.json.
  api.get('/health', (c) => c.json({ ok: true, name: health.name, version: health.version, home: health.home }));

  api.get('/environments', async (c) => c.json(environmentListingOutput(await services.listEnvironments())));
  api.get('/environments/:name', async (c) => {
    const name = c.req.param('name');
    const environment = await services.getEnvironment(name);
    return c.json({ ...environmentOutput(environment), files: await services.listEnvironmentFiles(name) });
  });

  api.get('/experiments', async (c) => {
    const state = ExperimentState.optional().safeParse(c.req.query('state'));
    if (!state.success) {
      throw new ResearchError('bad_input', `state must be one of ${ExperimentState.options.join(', ')}`);
    }
    const experiments = await services.listExperiments({
      state: state.data,
      searchId: c.req.query('search'),
      environment: c.req.query('environment'),
    });
    return c.json({ experiments: experiments.map(experimentView) });
  });
  api.get('/experiments/:id', async (c) => c.json(experimentView(await services.getExperiment(c.req.param('id')))));
  api.get('/experiments/:id/logs', async (c) => c.json({ logs: await services.readExperimentLogs(c.req.param('id')) }));
  api.get('/experiments/:id/diff', async (c) => {
    const experiment = await services.getExperiment(c.req.param('id'));
    return c.text(await services.readImplementationDiff(experiment.implementationId), 200, {
      'content-type': 'text/x-diff; charset=utf-8',
    });
  });

  api.get('/searches', async (c) => c.json({ searches: (await services.listSearches()).map(searchView) }));
  api.get('/searches/:id', async (c) => {
    const search = await services.getSearch(c.req.param('id'));
    const rows = await services.leaderboard({ searchId: search.id });
    return c.json({ ...searchView(search), leaderboard: rows.map(leaderboardOutput) });
  });
  api.get('/leaderboard', async (c) => {
    const rows = await services.leaderboard({
      searchId: c.req.query('search'),
      environment: c.req.query('environment'),
    });
    return c.json({ rows: rows.map(leaderboardOutput) });
  });

  api.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` } }, 404),
  );
  api.onError((error, c) => {
    if (ResearchError.is(error)) {
      return c.json({ error: { code: error.code, message: error.message } }, STATUS[error.code] ?? 500);
    }
    return c.json({ error: { code: 'internal', message: 'unexpected error; see the server log' } }, 500);
  });
  return api;
}
