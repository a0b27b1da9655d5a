// Fill in env init's options: flags first, then the preset, then what the repository shows, then ask (in a terminal).
import { basename } from 'node:path';

import { ResearchError } from '../../domain/errors.js';
import type { Direction } from '../../domain/metric.js';
import { compileLogPattern } from './log-pattern.js';
import { type Ask, commandArgv, type InitOptions, nameFromFolder } from './options.js';
import { autoresearchPreset } from './preset.js';
import type { RepoInfo } from './repo.js';

export interface ResolvedInit {
  name: string;
  command: string[];
  editable: string[];
  frozen: string[];
  data: string[];
  metric: string;
  /** The metric's name was given (flag, preset or answer), not read off the log pattern. */
  metricGiven: boolean;
  direction: Direction;
  metricFrom: 'log' | 'evaluate';
  pattern?: string;
  evaluate?: string[];
  timeLimit: number;
  gpus: number;
  preset?: string;
  notes: string[];
}

const MIN_WORDS = /loss|bpb|bpc|perplexity|ppl|error|err\b|mse|mae|rmse|nll|wer|cer|latency|time|regret/i;
const MAX_WORDS = /acc|f1|auc|score|reward|bleu|rouge|precision|recall|map\b|iou|return|win/i;
export const DEFAULT_TIME_LIMIT_SEC = 3600;

function inferDirection(metric: string): Direction | undefined {
  if (MIN_WORDS.test(metric)) return 'min';
  if (MAX_WORDS.test(metric)) return 'max';
  return undefined;
}

/** The script a command runs, when it is a tracked file (`python train.py` → train.py). */
function scriptOf(argv: readonly string[], files: readonly string[]): string | undefined {
  return argv.find((part) => files.includes(part.replace(/^\.\//, '')))?.replace(/^\.\//, '');
}

function metricFromPattern(pattern: string): string | undefined {
  const start = pattern.replace(/^\^/, '').replace(/^(?:\\s[*+]|\\b|\s)+/, '');
  return /^([A-Za-z_][A-Za-z0-9_]*)/.exec(start)?.[1];
}

interface Missing {
  what: string;
  flag: string;
}

export async function resolveInit(
  options: InitOptions,
  repo: RepoInfo,
  env: { PATH?: string },
  ask?: Ask,
): Promise<ResolvedInit> {
  const notes: string[] = [];
  const preset = options.preset === 'autoresearch' ? await autoresearchPreset(repo, env) : undefined;
  notes.push(...(preset?.notes ?? []));
  const o: InitOptions = { ...preset?.options, ...stripUndefined(options), path: options.path };
  const missing: Missing[] = [];
  const need = async (what: string, flag: string, question: string): Promise<string | undefined> => {
    if (!ask) {
      missing.push({ what, flag });
      return undefined;
    }
    const answer = (await ask(question)).trim();
    if (answer === '') throw new ResearchError('bad_input', `no ${what} given; pass ${flag}`);
    return answer;
  };

  let command = o.command !== undefined ? commandArgv(o.command, '--command') : preset?.command;
  if (!command && repo.files.includes('train.py')) {
    command = ['{python}', 'train.py'];
    notes.push('command: {python} train.py (inferred; --command to change)');
  }
  if (!command) {
    const typed = await need(
      'training command',
      '--command "python train.py"',
      'Training command, run in a copy of the repository: ',
    );
    if (typed !== undefined) command = commandArgv(typed, 'the training command');
  }
  let editable = o.editable && o.editable.length > 0 ? o.editable : undefined;
  const script = command ? scriptOf(command, repo.files) : undefined;
  if (!editable && script) {
    editable = [script];
    notes.push(`editable: ${script} (the script the command runs; --editable to change)`);
  }
  if (!editable) {
    const typed = await need(
      'editable files',
      '--editable GLOB',
      'Files an edit may change (globs, comma-separated): ',
    );
    if (typed !== undefined)
      editable = typed
        .split(',')
        .map((glob) => glob.trim())
        .filter(Boolean);
  }
  if (options.metricFromLog !== undefined && options.evaluate !== undefined) {
    throw new ResearchError('bad_input', 'give one of --metric-from-log REGEX and --evaluate "…", not both');
  }
  let pattern = options.evaluate !== undefined ? undefined : o.metricFromLog;
  if (pattern !== undefined) compileLogPattern(pattern);
  let evaluate = o.evaluate;
  let metricGiven = o.metric !== undefined;
  let metric = o.metric ?? (pattern ? metricFromPattern(pattern) : undefined);
  metricGiven ||= metric === undefined && ask !== undefined;
  if (!metric) metric = await need('metric name', '--metric NAME', 'Name of the metric to optimise (e.g. val_loss): ');
  if (pattern === undefined && evaluate === undefined) {
    if (!ask)
      missing.push({
        what: `how to measure ${metric ?? 'the metric'}`,
        flag: `--metric-from-log '^${metric ?? 'val_loss'}:\\s*([0-9.eE+-]+)' (read from the training log; self-reported) or --evaluate "python eval.py" (your own evaluation, run after training)`,
      });
    else {
      const how = (
        await ask(
          `How is ${metric} measured: "log" (a pattern over the training log; self-reported) or "evaluate" (your own evaluation command)? `,
        )
      )
        .trim()
        .toLowerCase();
      if (how.startsWith('l'))
        pattern = await need(
          'log pattern',
          '--metric-from-log REGEX',
          `Pattern whose first (…) group is ${metric} in the training log: `,
        );
      else if (how.startsWith('e'))
        evaluate = await need(
          'evaluation command',
          '--evaluate "…"',
          'Evaluation command, run in the workspace after training: ',
        );
      else throw new ResearchError('bad_input', `answer "log" or "evaluate"; got "${how}"`);
    }
  }
  let direction = o.direction ?? (metric ? inferDirection(metric) : undefined);
  if (!direction && metric) {
    const typed = await need(
      `direction of ${metric}`,
      '--direction min|max',
      `Is a lower or a higher ${metric} better? [min/max]: `,
    );
    if (typed !== undefined) {
      if (typed !== 'min' && typed !== 'max') throw new ResearchError('bad_input', `answer min or max; got "${typed}"`);
      direction = typed;
    }
  }
  if (missing.length > 0) {
    throw new ResearchError(
      'bad_input',
      `env init cannot tell from ${repo.path}:\n${missing.map((m) => `  - ${m.what}: pass ${m.flag}`).join('\n')}\n(it asks for these only when run in a terminal)`,
      { details: { missing: missing.map((m) => m.flag.split(' ')[0]) } },
    );
  }
  if (o.timeLimit === undefined)
    notes.push(`time limit: ${DEFAULT_TIME_LIMIT_SEC} s per run (--time-limit SEC to change)`);
  return {
    name: o.name ?? nameFromFolder(basename(repo.path)),
    command: command as string[],
    editable: editable as string[],
    frozen: [...(preset?.frozen ?? []), ...(o.frozen ?? [])],
    data: [...new Set([...(preset?.options.data ?? []), ...(options.data ?? [])])],
    metric: metric as string,
    metricGiven,
    direction: direction as Direction,
    metricFrom: pattern !== undefined ? 'log' : 'evaluate',
    ...(pattern !== undefined ? { pattern } : {}),
    ...(evaluate !== undefined ? { evaluate: commandArgv(evaluate, '--evaluate') } : {}),
    timeLimit: o.timeLimit ?? DEFAULT_TIME_LIMIT_SEC,
    gpus: o.gpus ?? 0,
    ...(options.preset ? { preset: options.preset } : {}),
    notes,
  };
}

function stripUndefined(options: InitOptions): Partial<InitOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<InitOptions>;
}
