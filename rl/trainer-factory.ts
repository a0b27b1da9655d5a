// Builds a run's trainer from its stored options: `export` (JSONL + ready file) or `python` (GRPO/LoRA job + vLLM).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ResearchError } from '../src/domain/errors.js';
import type { RlRun } from '../src/domain/rl-records.js';
import { runDir } from './run-files.js';
import { createExportTrainer } from './trainers/export-trainer.js';
import { createPythonTrainer, type JobRunner, PYTHON_TRAINER_DEFAULTS } from './trainers/python-trainer.js';
import type { Trainer } from './types.js';

export const TRAINERS = ['export', 'python'] as const;

/** rl/python/grpo_step.py, from the sources (tsx) or from dist/rl/… (the built CLI). */
export function grpoScript(): string {
  const here = import.meta.dirname;
  const candidates = [resolve(here, 'python/grpo_step.py'), resolve(here, '../../rl/python/grpo_step.py')];
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new ResearchError('internal', `rl/python/grpo_step.py is missing (looked in ${candidates.join(', ')})`);
  return found;
}

export interface TrainerDeps {
  home: string;
  /** Interpreter for the python trainer's job. */
  python: string;
  /** The environment of trainer jobs (the configured job environment: PATH and locale, no keys). */
  jobEnv: Record<string, string>;
  runJob: JobRunner;
  onWaiting?: (readyFile: string, epoch: number) => void;
}

const TRAIN_TIME_LIMIT_SEC = 4 * 3600;

export function buildTrainer(run: RlRun, deps: TrainerDeps): Trainer {
  const { trainer } = run.options;
  if (trainer.kind === 'export') {
    const dir = trainer.dir ?? join(runDir(deps.home, run.id), 'export');
    return createExportTrainer({ dir, ...(deps.onWaiting ? { onWaiting: deps.onWaiting } : {}) });
  }
  if (trainer.kind !== 'python') {
    throw new ResearchError('bad_input', `unknown trainer "${trainer.kind}"; valid: ${TRAINERS.join(', ')}`);
  }
  const extra = trainer.settings ?? {};
  const number = (key: string, fallback: number): number => (typeof extra[key] === 'number' ? extra[key] : fallback);
  const text = (key: string): string | undefined => (typeof extra[key] === 'string' ? extra[key] : undefined);
  const vllmUrl = text('vllmUrl');
  return createPythonTrainer({
    runJob: deps.runJob,
    python: deps.python,
    script: grpoScript(),
    workDir: join(runDir(deps.home, run.id), 'python'),
    runId: run.id,
    baseModel: text('baseModel') ?? run.options.policy.model,
    servedName: run.options.policy.model,
    ...(vllmUrl ? { vllmUrl } : {}),
    gpus: number('gpus', 1),
    timeLimitSec: number('timeLimitSec', TRAIN_TIME_LIMIT_SEC),
    env: { ...deps.jobEnv, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
    settings: {
      learningRate: number('learningRate', PYTHON_TRAINER_DEFAULTS.learningRate),
      loraRank: number('loraRank', PYTHON_TRAINER_DEFAULTS.loraRank),
      loraAlpha: number('loraAlpha', PYTHON_TRAINER_DEFAULTS.loraAlpha),
      clip: number('clip', PYTHON_TRAINER_DEFAULTS.clip),
      klCoef: number('klCoef', PYTHON_TRAINER_DEFAULTS.klCoef),
    },
  });
}
