// `groundwork rl start|resume`: run (or carry on with) an RL run in this process, printing each epoch's metrics.
import { metricsJson } from '../../rl/metrics.js';
import { resumeRun, type RunHooks, type StartInput, startRun } from '../../rl/start.js';
import { TRAINERS } from '../../rl/trainer-factory.js';
import { ResearchError } from '../domain/errors.js';
import type { RlEpoch, RlMetrics, RlRun } from '../domain/rl-records.js';
import type { ResearchServer } from '../server.js';
import { type CommandIo, parseCommandArgs, toInteger } from './command.js';
import { formatNumber } from './format.js';
import { withServer } from './open-server.js';
import { toSeed } from './rl-simulate.js';
import { rlContext } from './rl-context.js';
import { RL_USAGE } from './rl-usage.js';

const OPTIONS = {
  environment: { type: 'string' },
  'policy-url': { type: 'string' },
  model: { type: 'string' },
  'group-size': { type: 'string' },
  groups: { type: 'string' },
  epochs: { type: 'string' },
  trainer: { type: 'string' },
  'export-dir': { type: 'string' },
  profile: { type: 'string' },
  mitigation: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'base-model': { type: 'string' },
  'vllm-url': { type: 'string' },
  'trainer-gpus': { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function required(values: Values, name: 'environment' | 'policy-url' | 'model'): string {
  const value = values[name];
  if (!value) throw new ResearchError('bad_input', `rl start needs --${name}\n\n${RL_USAGE}`);
  return value;
}

function startInput(values: Values): StartInput {
  const trainer = values.trainer ?? 'export';
  if (!(TRAINERS as readonly string[]).includes(trainer)) {
    throw new ResearchError('bad_input', `unknown trainer "${trainer}"; valid: ${TRAINERS.join(', ')}`);
  }
  const url = required(values, 'policy-url');
  if (!/^https?:\/\/\S+$/.test(url))
    throw new ResearchError('bad_input', `--policy-url must be http(s)://host:port/v1; got "${url}"`);
  const temperature = values.temperature === undefined ? 1 : Number(values.temperature);
  if (!(temperature >= 0 && temperature <= 2))
    throw new ResearchError('bad_input', '--temperature must be from 0 to 2');
  return {
    environment: required(values, 'environment'),
    policyUrl: url,
    model: required(values, 'model'),
    groupSize: toInteger(values['group-size'], 'group-size', 16),
    groups: toInteger(values.groups, 'groups', 1),
    epochs: toInteger(values.epochs, 'epochs', 10),
    trainer: trainer as StartInput['trainer'],
    ...(values['export-dir'] ? { exportDir: values['export-dir'] } : {}),
    profile: values.profile ?? 'default',
    mitigations: values.mitigation ?? [],
    seed: toSeed(values.seed),
    maxTokens: toInteger(values['max-tokens'], 'max-tokens', 8192),
    temperature,
    trainerSettings: {
      ...(values['base-model'] ? { baseModel: values['base-model'] } : {}),
      ...(values['vllm-url'] ? { vllmUrl: values['vllm-url'] } : {}),
      gpus: toInteger(values['trainer-gpus'], 'trainer-gpus', 1),
    },
  };
}

function epochLine(epoch: RlEpoch, run: RlRun): string {
  const m = epoch.metrics as RlMetrics;
  return (
    `epoch ${epoch.epoch}: mean reward ${formatNumber(m.meanReward)}, max ${formatNumber(m.maxReward)}, ` +
    `executed ${formatNumber(m.executionRate, 2)}, duplicates ${formatNumber(m.duplicateShare, 2)}, ` +
    `${m.distinctIdeas} distinct, jaccard ${formatNumber(m.meanJaccard, 3)}, thinking ${Math.round(m.thinkingTokens)} tokens; ` +
    `policy now v${run.policyVersion} (${run.model})`
  );
}

export async function rlRunCommand(which: 'start' | 'resume', argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, RL_USAGE);
  if (values.help) {
    io.stdout(RL_USAGE);
    return 0;
  }
  if (which === 'resume' && positionals.length !== 1)
    throw new ResearchError('bad_input', 'rl resume takes one run id');
  const input = which === 'start' ? startInput(values) : undefined;
  const controller = new AbortController();
  let running: Promise<unknown> | undefined;
  const hooks: RunHooks = {
    signal: controller.signal,
    onStart: (run) =>
      io.stderr(`rl ${which}: run ${run.id} (${run.environment}, epoch ${run.epoch} of ${run.options.epochs})`),
    onWaiting: (file) =>
      io.stderr(
        `waiting for ${file} (write { "model": "<name>" } there, or run: groundwork rl advance <id> --model <name>)`,
      ),
    onEpoch: (epoch, run) =>
      io.stdout(
        values.json ? JSON.stringify(metricsJson(epoch.epoch, epoch.metrics as RlMetrics)) : epochLine(epoch, run),
      ),
  };
  const work = async (server: ResearchServer): Promise<number> => {
    const { context, close } = rlContext(server, io.env);
    const promise = input ? startRun(context, input, hooks) : resumeRun(context, positionals[0] as string, hooks);
    running = promise;
    const run = await promise.finally(close);
    io.stderr(`run ${run.id}: ${run.state}${run.error ? ` (${run.error})` : ''}`);
    return run.state === 'succeeded' ? 0 : 1;
  };
  // Ctrl-C: the loop stops, marks the run stopped, and "rl resume" carries on later.
  const interrupt = async (): Promise<void> => {
    controller.abort();
    await Promise.race([running?.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 15_000))]);
  };
  return withServer(values, io.env, work, {}, {}, interrupt);
}
