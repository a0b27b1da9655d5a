// `groundwork rl simulate`: the RL loop on a simulated policy; one line (or JSON line) per epoch, then a summary.
import { metricsJson } from '../../rl/metrics.js';
import { simulate } from '../../rl/sim/simulate.js';
import { ResearchError } from '../domain/errors.js';
import type { RlEpoch, RlMetrics } from '../domain/rl-records.js';
import { createMemoryStore } from '../store/memory-store.js';
import { type CommandIo, parseCommandArgs, toInteger } from './command.js';
import { formatNumber } from './format.js';
import { RL_USAGE } from './rl-usage.js';

const OPTIONS = {
  epochs: { type: 'string' },
  'group-size': { type: 'string' },
  groups: { type: 'string' },
  mitigation: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'learning-rate': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function toSeed(value: string | undefined): number {
  if (value === undefined) return 0;
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0)
    throw new ResearchError('bad_input', `--seed must be a non-negative integer; got "${value}"`);
  return seed;
}

const HEADER = 'epoch  mean_reward  max_reward  exec  dup   distinct  jaccard  thinking  top_share  top idea';

function line(epoch: RlEpoch): string {
  const m = epoch.metrics as RlMetrics;
  return [
    String(epoch.epoch).padStart(5),
    formatNumber(m.meanReward).padStart(11),
    formatNumber(m.maxReward).padStart(10),
    formatNumber(m.executionRate, 2).padStart(4),
    formatNumber(m.duplicateShare, 2).padStart(5),
    String(m.distinctIdeas).padStart(8),
    formatNumber(m.meanJaccard, 3).padStart(7),
    String(Math.round(m.thinkingTokens)).padStart(8),
    formatNumber(m.topIdeaShare, 2).padStart(9),
    m.topIdea ?? '-',
  ].join('  ');
}

/** Averages of the first and last `window` epochs, and the best reward any rollout earned. */
export function summary(epochs: readonly RlEpoch[], window = 5): string {
  const part = (list: readonly RlEpoch[], pick: (m: RlMetrics) => number): number =>
    list.reduce((sum, e) => sum + pick(e.metrics as RlMetrics), 0) / Math.max(1, list.length);
  const first = epochs.slice(0, window);
  const last = epochs.slice(-window);
  const row = (name: string, pick: (m: RlMetrics) => number, digits = 4): string =>
    `  ${name.padEnd(16)} ${formatNumber(part(first, pick), digits)} → ${formatNumber(part(last, pick), digits)}`;
  const best = Math.max(...epochs.map((e) => (e.metrics as RlMetrics).maxReward));
  return [
    `first ${first.length} epochs → last ${last.length} epochs (means):`,
    row('mean reward', (m) => m.meanReward),
    row('max reward', (m) => m.maxReward),
    row('execution rate', (m) => m.executionRate, 3),
    row('duplicate share', (m) => m.duplicateShare, 3),
    row('distinct ideas', (m) => m.distinctIdeas, 1),
    row('mean jaccard', (m) => m.meanJaccard, 3),
    row('thinking tokens', (m) => m.thinkingTokens, 0),
    `best reward of any rollout: ${formatNumber(best)}`,
  ].join('\n');
}

export async function rlSimulate(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, RL_USAGE);
  if (values.help) {
    io.stdout(RL_USAGE);
    return 0;
  }
  if (positionals.length > 0)
    throw new ResearchError('bad_input', `rl simulate takes no arguments; got "${positionals.join(' ')}"`);
  const learningRate = values['learning-rate'] === undefined ? undefined : Number(values['learning-rate']);
  if (learningRate !== undefined && !(learningRate > 0)) {
    throw new ResearchError('bad_input', `--learning-rate must be a positive number; got "${values['learning-rate']}"`);
  }
  const json = values.json === true;
  if (!json) io.stdout(HEADER);
  const result = await simulate({
    store: createMemoryStore(),
    epochs: toInteger(values.epochs, 'epochs', 40),
    groupSize: toInteger(values['group-size'], 'group-size', 64),
    groups: toInteger(values.groups, 'groups', 1),
    mitigations: values.mitigation ?? [],
    seed: toSeed(values.seed),
    ...(learningRate === undefined ? {} : { learningRate }),
    onEpoch: (epoch) =>
      io.stdout(json ? JSON.stringify(metricsJson(epoch.epoch, epoch.metrics as RlMetrics)) : line(epoch)),
  });
  if (!json) {
    const mitigations = result.run.options.mitigations;
    io.stdout(`\nmitigations: ${mitigations.length > 0 ? mitigations.join(', ') : 'none'}`);
    io.stdout(summary(result.epochs));
  }
  return 0;
}
