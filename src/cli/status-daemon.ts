// `groundwork status` while a daemon holds the store: the same picture, asked of the daemon's read-only /api.
import { loadConfig } from '../config/load-config.js';
import { ResearchError } from '../domain/errors.js';
import { findDaemon } from '../http/daemon-file.js';
import type { CommandIo } from './command.js';
import { table } from './format.js';

interface ApiExperiment {
  experiment_id: string;
  status: string;
  environment: string;
}
interface ApiSearch {
  search_id: string;
  strategy: string;
  environment: string;
  status: string;
  epoch: number;
  experiments: number;
}

/** Prints the status from the daemon serving the data directory; throws `locked` again when none answers. */
export async function statusFromDaemon(
  values: { home?: string; config?: string; json?: boolean },
  io: CommandIo,
  locked: ResearchError,
): Promise<number> {
  const home = loadConfig({
    env: io.env,
    configFile: values.config,
    overrides: values.home ? { home: values.home } : {},
  }).home;
  const daemon = await findDaemon(home);
  if (!daemon) throw locked;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${daemon.url}/api${path}`, {
      headers: daemon.token ? { authorization: `Bearer ${daemon.token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      throw new ResearchError(
        'store_locked',
        `the daemon at ${daemon.url} answered ${response.status} for /api${path}`,
      );
    }
    return (await response.json()) as T;
  };
  const [running, queued, all] = await Promise.all([
    get<{ experiments: ApiExperiment[] }>('/experiments?state=running'),
    get<{ experiments: ApiExperiment[] }>('/experiments?state=queued'),
    get<{ searches: ApiSearch[] }>('/searches'),
  ]);
  const active = [...running.experiments, ...queued.experiments];
  const searches = all.searches.slice(-5);
  if (values.json) {
    io.stdout(JSON.stringify({ home, daemon: daemon.url, dashboard: `${daemon.url}/`, active, searches }, null, 2));
    return 0;
  }
  io.stdout(`data directory: ${home} (served by the daemon at ${daemon.url})`);
  io.stdout(`dashboard: ${daemon.url}/`);
  io.stdout(
    active.length === 0
      ? 'nothing queued or running'
      : table(
          ['experiment', 'state', 'environment'],
          active.map((e) => [e.experiment_id, e.status, e.environment]),
        ),
  );
  if (searches.length > 0) {
    io.stdout('\nlatest searches:');
    io.stdout(
      table(
        ['search', 'strategy', 'environment', 'state', 'epoch', 'experiments'],
        searches.map((s) => [s.search_id, s.strategy, s.environment, s.status, String(s.epoch), String(s.experiments)]),
      ),
    );
  }
  return 0;
}
