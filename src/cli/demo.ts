// `groundwork demo`: the main job, offline. A short evolutionary search on tiny-lm with real training.
import { rewardOf, rewardRule } from '../domain/metric.js';
import type { Experiment } from '../domain/records.js';
import type { ResearchServices } from '../services/research-services.js';
import { type Command, GLOBAL_USAGE, parseCommandArgs, toInteger } from './command.js';
import { formatDuration, formatNumber, formatSigned, table } from './format.js';
import { withServer } from './open-server.js';
import { DEFAULT_PROFILE } from '../environments/manifest.js';
import type { SearchReportView } from '../services/search-report.js';

const usage = `Usage: groundwork demo [--environment NAME] [--epochs N] [--batch-size N] [--strategy NAME] [--seed N]

Runs a short search offline: the offline provider proposes changes to the environment's knobs,
implements them as edits, the local executor trains and evaluates each one for real, and the
measured metric comes back as the reward; epochs run one after another, and a candidate that
beats the best is re-run on more seeds (certified) when the profile has a measured baseline.
Ends with a leaderboard against the baseline and the certified best's improvement.
Everything it does is kept in the data directory.

Options:
  --environment NAME   environment to search (default tiny-lm)
  --epochs N           search epochs (default 2)
  --batch-size N       ideas per epoch (default 3)
  --strategy NAME      evolutionary (default) or best-of-n
  --profile NAME       environment profile (default: default)
  --seed N             seed of the search (default 1)
${GLOBAL_USAGE}`;

/** "better" only when the change exceeds seed noise; otherwise say it is within it. */
function verdict(baseline: { improved?: boolean; beyondNoise?: boolean }): string {
  if (baseline.beyondNoise === false) return ', within noise';
  return baseline.improved ? ', better' : ', worse';
}

function progressLine(experiment: Experiment, title: string, started: number): string | undefined {
  const elapsed = formatDuration(Date.now() - started).padStart(6);
  if (experiment.state === 'running' && experiment.runs.every((run) => run.state === 'queued'))
    return `${elapsed}  running   ${title}`;
  if (experiment.state === 'succeeded' && experiment.result) {
    const { metric, baseline } = experiment.result;
    const versus = baseline
      ? ` (baseline ${formatNumber(baseline.value)}, ${formatSigned(baseline.delta)}${verdict(baseline)})`
      : '';
    return `${elapsed}  done      ${title}: ${metric.name} ${formatNumber(metric.value)}${versus}`;
  }
  if (experiment.state === 'failed' || experiment.state === 'cancelled') {
    return `${elapsed}  ${experiment.state.padEnd(9)} ${title}: ${experiment.failure?.category ?? ''} ${experiment.failure?.message ?? ''}`;
  }
  return undefined;
}

/** How each reward rule turns the metric into the reward (domain/metric.ts). */
const REWARD_FORMULA = { inverse: '1/metric', negate: '-metric', identity: 'metric' } as const;

async function printLeaderboard(
  services: ResearchServices,
  searchId: string,
  environment: string,
  print: (text: string) => void,
): Promise<void> {
  const { manifest } = await services.getEnvironment(environment);
  const rows = await services.leaderboard({ searchId });
  const baseline = manifest.baseline;
  print(
    `\nLeaderboard (${manifest.metric.name}, ${manifest.metric.direction === 'min' ? 'lower' : 'higher'} is better; reward = ${REWARD_FORMULA[rewardRule(manifest.metric)]}):`,
  );
  const body = rows.map((row) => [
    String(row.rank),
    row.title,
    row.metric !== undefined ? `${formatNumber(row.metric)}` : '-',
    formatNumber(row.reward),
    row.delta !== undefined
      ? `${formatSigned(row.delta)}${verdict(row).replace(',', '')}`
      : (row.failure?.split(':')[0] ?? row.state),
  ]);
  if (baseline)
    body.push([
      'base',
      `baseline (${baseline.runs} seeds, ${baseline.profile} profile)`,
      `${formatNumber(baseline.value)} ± ${formatNumber(baseline.std)}`,
      formatNumber(rewardOf(baseline.value, manifest.metric)),
      '',
    ]);
  print(table(['#', 'idea', manifest.metric.name, 'reward', 'vs baseline'], body, 56));
  if (baseline)
    print(`("within noise": the difference is under twice the baseline's spread over its ${baseline.runs} seeds)`);
}

/** The demo's last line: the best by the stored search report, its improvement in baseline σ, and whether certified. */
function certifiedLine(best: SearchReportView['best'], metric: string): string {
  if (!best) return 'no candidate succeeded, so there is no best to certify.';
  const value = `${metric} ${formatNumber(best.metric_mean)} ± ${formatNumber(best.metric_std)} over ${best.seeds} seed${best.seeds === 1 ? '' : 's'}`;
  const sigma =
    best.improvement_sigma === null
      ? 'no comparable baseline to measure the improvement against'
      : `${Math.abs(best.improvement_sigma).toFixed(1)} baseline σ ${best.improvement_sigma > 0 ? 'better' : 'worse'} than the baseline`;
  const verdict = best.certified ? 'certified' : 'not certified (single seed)';
  return `${best.certified ? 'certified best' : 'best'}: ${best.title}: ${value}, ${sigma}; ${verdict}.`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run a short offline search on tiny-lm with real training, then show a leaderboard',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      {
        environment: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        strategy: { type: 'string' },
        profile: { type: 'string' },
        seed: { type: 'string' },
      },
      usage,
    );
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    const environment = values.environment ?? 'tiny-lm';
    const epochs = toInteger(values.epochs, 'epochs', 2);
    const batchSize = toInteger(values['batch-size'], 'batch-size', 3);
    const strategy = values.strategy ?? 'evolutionary';
    const seed = toInteger(values.seed, 'seed', 1);
    // Progress lines are the demo's output; the stack's own logs stay quiet unless asked for.
    // The demo is the offline job: no model, whatever GROUNDWORK_PROVIDER says.
    const quiet = {
      ...(io.env.GROUNDWORK_LOG_LEVEL ? {} : { logLevel: 'warn' as const }),
      llm: { provider: 'offline' as const },
    };
    return withServer(
      values,
      io.env,
      async ({ config, services }) => {
        const started = Date.now();
        const { manifest } = await services.getEnvironment(environment);
        const { python } = await services.checkSetup(environment);
        io.stdout(
          `groundwork demo: ${strategy} search on ${environment}, ${manifest.metric.name} (${manifest.metric.direction})`,
        );
        io.stdout(`  ${epochs} epochs × ${batchSize} ideas, offline provider, local executor, python ${python}`);
        if (manifest.baseline)
          io.stdout(
            `  baseline ${manifest.metric.name} ${formatNumber(manifest.baseline.value)} ± ${formatNumber(manifest.baseline.std)} over ${manifest.baseline.runs} seeds`,
          );
        io.stdout(`  data directory ${config.home}\n`);
        const titles = new Map<string, string>();
        const printed = new Set<string>();
        const unsubscribe = services.onExperimentUpdate((experiment) => {
          void (async () => {
            if (!titles.has(experiment.ideaId))
              titles.set(experiment.ideaId, (await services.getIdea(experiment.ideaId))?.title ?? experiment.ideaId);
            const line = progressLine(experiment, titles.get(experiment.ideaId) as string, started);
            // One line per experiment and state: a state is saved again when a job handle is recorded.
            const key = `${experiment.id}:${experiment.state}`;
            if (line && !printed.has(key)) {
              printed.add(key);
              io.stdout(line);
            }
          })();
        });
        // Epochs mode: with one local slot, steady mode would choose ideas before the results they could learn from.
        // Certification needs a baseline measured on the same profile; without one, results stay single-seed.
        const profile = values.profile ?? DEFAULT_PROFILE;
        const comparable = manifest.baseline?.profile === profile;
        if (!comparable)
          io.stdout(
            `  results on the ${profile} profile are not certified: no baseline was measured on it${manifest.baseline ? ` (the baseline is on the ${manifest.baseline.profile} profile)` : ''}\n`,
          );
        const options = {
          ...(strategy === 'best-of-n' ? { n: epochs * batchSize, batchSize } : { epochs, batchSize }),
          mode: 'epochs',
          ...(comparable ? {} : { certifySeeds: 0 }),
        };
        const search = await services.startSearch({ environment, strategy, options, seed, profile: values.profile });
        io.stdout(`search ${search.id} started\n`);
        const ended = await services.waitForSearch(search.id);
        unsubscribe();
        await printLeaderboard(services, search.id, environment, io.stdout);
        const rows = await services.leaderboard({ searchId: search.id });
        const best = rows[0];
        const { counts } = await services.searchStatus(search.id);
        io.stdout(
          `\nsearch ${ended.state} in ${formatDuration(Date.now() - started)}; ${counts.experiments} experiments, ${counts.succeeded} succeeded.`,
        );
        if (best?.metric !== undefined)
          io.stdout(
            `best: ${best.title} → ${manifest.metric.name} ${formatNumber(best.metric)} (reward ${formatNumber(best.reward)})`,
          );
        if (ended.error) io.stderr(`search error: ${ended.error}`);
        if (manifest.metric.selfReported) {
          io.stdout(`self_reported: ${manifest.metric.name} is read from the log the edited code prints`);
        }
        if (manifest.source?.git && best?.improved) {
          io.stdout(`export the winner as a branch: groundwork export ${search.id} --git ${manifest.source.path}`);
        }
        io.stdout(`everything is stored in ${config.home} (groundwork status --home ${config.home})`);
        io.stdout(certifiedLine((await services.searchReport(search.id)).best, manifest.metric.name));
        return ended.state === 'succeeded' ? 0 : 1;
      },
      {},
      quiet,
    );
  },
};
