// `groundwork status`: what the data directory holds and what is running.
import { ResearchError } from '../domain/errors.js';
import { findDaemon } from '../http/daemon-file.js';
import { type Command, type CommandIo, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { statusFromDaemon } from './status-daemon.js';
import { withReader } from './read-store.js';
import { table } from './format.js';

const usage = `Usage: groundwork status [--json]

Shows the data directory, counts of stored ideas, implementations, experiments and searches,
experiments queued or running, and the latest searches.

Options:
  --json   print JSON
${GLOBAL_USAGE}`;

export const statusCommand: Command = {
  name: 'status',
  summary: 'show what is stored and what is running',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, usage);
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    // Only read: no dispatching of queued work from a status call. A daemon holding the store answers instead.
    return showStatus(values, io).catch((error: unknown) => {
      if (!ResearchError.is(error, 'store_locked')) throw error;
      return statusFromDaemon(values, io, error);
    });
  },
};

function showStatus(values: { json?: boolean; home?: string; config?: string }, io: CommandIo): Promise<number> {
  // Reads without the lock (read-store.ts), so it also answers while a foreground search owns the data directory.
  return withReader(values, io.env, async (services) => {
    const { config } = services;
    const counts = await services.counts();
    const active = [
      ...(await services.listExperiments({ state: 'running' })),
      ...(await services.listExperiments({ state: 'queued' })),
    ];
    const searches = (await services.listSearches()).slice(-5);
    // A daemon serving this data directory has a live dashboard.
    const daemon = await findDaemon(config.home);
    if (values.json) {
      const dashboard = daemon ? { daemon: daemon.url, dashboard: `${daemon.url}/` } : {};
      io.stdout(JSON.stringify({ home: config.home, ...dashboard, counts, active, searches }, null, 2));
      return 0;
    }
    io.stdout(`data directory: ${config.home}`);
    if (daemon) io.stdout(`dashboard: ${daemon.url}/ (the daemon serving this data directory)`);
    io.stdout(
      Object.entries(counts)
        .map(([name, count]) => `${name}: ${count}`)
        .join('   '),
    );
    io.stdout(
      active.length === 0
        ? 'nothing queued or running'
        : table(
            ['experiment', 'state', 'environment'],
            active.map((e) => [e.id, e.state, e.environment]),
          ),
    );
    if (searches.length > 0) {
      io.stdout('\nlatest searches:');
      io.stdout(
        table(
          ['search', 'strategy', 'environment', 'state', 'epoch', 'experiments'],
          searches.map((s) => [
            s.id,
            s.strategy,
            s.environment,
            s.state,
            String(s.epoch),
            String(s.experimentIds.length),
          ]),
        ),
      );
    }
    return 0;
  });
}
