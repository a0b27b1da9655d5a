// The manifest env init writes for a repository, and the frozen harness files that measure its metric.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { ResearchError } from '../../domain/errors.js';
import { type Knob, Manifest } from '../manifest.js';
import type { DataLink } from '../source.js';
import { commandText } from './options.js';
import type { RepoInfo } from './repo.js';
import type { ResolvedInit } from './resolve.js';

/** The environment's own harness folder: hidden from training, copied fresh for each evaluation. */
export const HARNESS_DIR = 'groundwork-harness';
/** Seconds the log-reading harness may take. */
const LOG_HARNESS_LIMIT_SEC = 120;

export interface DraftInput {
  resolved: ResolvedInit;
  repo: RepoInfo;
  data: DataLink[];
  frozen: string[];
  knobs: Record<string, Knob>;
  files: readonly string[];
  python: string[];
}

function describe({ resolved, repo }: DraftInput): string {
  const where = repo.commit ? ` (commit ${repo.commit.slice(0, 12)}${repo.branch ? ` on ${repo.branch}` : ''})` : '';
  const how =
    resolved.metricFrom === 'log'
      ? `read from the training log (self-reported: printed by the code being edited)`
      : `measured by \`${commandText(resolved.evaluate ?? [])}\` as a separate step after training`;
  return `Training code at ${repo.path}${where}: runs \`${commandText(resolved.command)}\`; ${resolved.metric} (${resolved.direction === 'min' ? 'lower' : 'higher'} is better) is ${how}.`;
}

export function buildManifest(input: DraftInput): Manifest {
  const { resolved, repo, data } = input;
  const dataGlobs = data.filter((link) => link.at === 'workspace').flatMap((link) => [link.path, `${link.path}/**`]);
  const draft = {
    schemaVersion: 1,
    name: resolved.name,
    description: describe(input),
    editable: resolved.editable,
    frozen: [...new Set([...input.frozen, ...dataGlobs, 'environment.json'])],
    harness: HARNESS_DIR,
    setup: {
      python: true,
      modules: input.python,
      hint: 'Install them for the interpreter groundwork uses, or set GROUNDWORK_PYTHON (or pass --command with your own interpreter to env init)',
    },
    command: resolved.command,
    evaluate:
      resolved.metricFrom === 'log'
        ? ['{python}', `{harness}/log_metric.py`]
        : ['{python}', `{harness}/run_evaluate.py`, '--', ...(resolved.evaluate ?? [])],
    metric: {
      name: resolved.metric,
      direction: resolved.direction,
      ...(resolved.metricFrom === 'log' ? { selfReported: true } : {}),
    },
    resources: {
      gpus: resolved.gpus,
      cpus: Math.min(resolved.gpus > 0 ? 8 : 2, availableParallelism()),
      memoryGiB: resolved.gpus > 0 ? 32 : 8,
      timeLimitSec: resolved.timeLimit,
      evaluateTimeLimitSec: resolved.metricFrom === 'log' ? LOG_HARNESS_LIMIT_SEC : resolved.timeLimit,
    },
    knobs: input.knobs,
    source: {
      path: repo.path,
      git: repo.git,
      subdir: repo.subdir,
      ...(repo.commit ? { commit: repo.commit } : {}),
      ...(repo.branch ? { branch: repo.branch } : {}),
      metricFrom: resolved.metricFrom,
      ...(resolved.preset ? { preset: resolved.preset } : {}),
      data,
      createdAt: new Date().toISOString(),
    },
  };
  const parsed = Manifest.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ResearchError(
      'bad_input',
      `the environment would be invalid: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** The harness folder's files: the script that measures the metric and the `metric.json` it reads. */
export async function harnessFiles(assets: string, resolved: ResolvedInit): Promise<Record<string, string>> {
  const script = resolved.metricFrom === 'log' ? 'log_metric.py' : 'run_evaluate.py';
  const spec = { metric: resolved.metric, ...(resolved.pattern !== undefined ? { regex: resolved.pattern } : {}) };
  return {
    [script]: await readFile(join(assets, script), 'utf8'),
    'metric.json': `${JSON.stringify(spec, null, 2)}\n`,
  };
}
