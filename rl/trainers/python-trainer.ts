// The `python` trainer: a reference GRPO step with LoRA (rl/python/grpo_step.py) run as a job on an executor,
// then the new adapter is loaded into the vLLM server that serves the policy.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ResearchError } from '../../src/domain/errors.js';
import { atomicWrite } from '../../src/util/atomic-write.js';
import type { TrainedPolicy, Trainer, TrainingBatch } from '../types.js';
import { loadLoraAdapter } from './vllm-lora.js';

export interface PythonTrainerSettings {
  learningRate: number;
  loraRank: number;
  loraAlpha: number;
  clip: number;
  klCoef: number;
}

export const PYTHON_TRAINER_DEFAULTS: PythonTrainerSettings = {
  learningRate: 1e-5,
  loraRank: 16,
  loraAlpha: 32,
  clip: 0.2,
  klCoef: 0,
};

/** A trainer job: what the composition root turns into an executor job (local, docker or slurm). */
export interface TrainerJob {
  jobId: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  logPath: string;
  writable: string[];
  readOnly: string[];
  gpus: number;
  timeLimitSec: number;
}

export interface JobOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

/** Runs a job to its end on the configured executor; stops it when `signal` aborts. */
export type JobRunner = (job: TrainerJob, signal?: AbortSignal) => Promise<JobOutcome>;

export interface PythonTrainerOptions {
  runJob: JobRunner;
  python: string;
  /** rl/python/grpo_step.py */
  script: string;
  /** `<home>/rl/<runId>/python`: batches, adapters and logs. */
  workDir: string;
  runId: string;
  /** What the trainer loads: a local path (jobs have no network) or a name in the local Hugging Face cache. */
  baseModel: string;
  /** The served name prefix of the adapters (`<name>-v<k>`). */
  servedName: string;
  /** The vLLM server root (`http://host:8000`); unset: the adapter is saved but not loaded anywhere. */
  vllmUrl?: string;
  gpus: number;
  timeLimitSec: number;
  env: Record<string, string>;
  settings: PythonTrainerSettings;
  fetchImpl?: typeof fetch;
}

/** The GRPO step's command line (one optimiser step on the batch, from the previous adapter when there is one). */
export function grpoCommand(
  options: PythonTrainerOptions,
  batchFile: string,
  adapterIn: string | undefined,
  adapterOut: string,
): string[] {
  const { settings } = options;
  return [
    options.python,
    options.script,
    '--batch',
    batchFile,
    '--base-model',
    options.baseModel,
    '--out',
    adapterOut,
    ...(adapterIn ? ['--adapter', adapterIn] : []),
    '--lr',
    String(settings.learningRate),
    '--rank',
    String(settings.loraRank),
    '--alpha',
    String(settings.loraAlpha),
    '--clip',
    String(settings.clip),
    '--kl',
    String(settings.klCoef),
  ];
}

export function createPythonTrainer(options: PythonTrainerOptions): Trainer {
  return {
    kind: 'python',
    async train(batch: TrainingBatch, signal?: AbortSignal): Promise<TrainedPolicy> {
      const version = batch.policyVersion + 1;
      const batchFile = join(options.workDir, `epoch-${batch.epoch}.jsonl`);
      const adapterOut = join(options.workDir, `adapter-v${version}`);
      const adapterIn = version > 1 ? join(options.workDir, `adapter-v${version - 1}`) : undefined;
      // A resumed run whose step already saved its adapter only loads it.
      if (!existsSync(join(adapterOut, 'adapter_config.json'))) {
        await atomicWrite(batchFile, batch.lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
        const logPath = join(options.workDir, `train-e${batch.epoch}.log`);
        const exit = await options.runJob(
          {
            jobId: `${options.runId}-train-e${batch.epoch}`,
            command: grpoCommand(options, batchFile, adapterIn, adapterOut),
            cwd: options.workDir,
            env: options.env,
            logPath,
            writable: [options.workDir],
            readOnly: [dirname(options.script), ...(existsSync(options.baseModel) ? [options.baseModel] : [])],
            gpus: options.gpus,
            timeLimitSec: options.timeLimitSec,
          },
          signal,
        );
        if (signal?.aborted) throw new ResearchError('cancelled', 'the GRPO step was interrupted');
        if (exit.exitCode !== 0) {
          const tail = (await readFile(logPath, 'utf8').catch(() => '')).slice(-2000);
          throw new ResearchError(
            'executor',
            `the GRPO step for epoch ${batch.epoch} failed (exit ${exit.exitCode ?? exit.signal}${exit.timedOut ? ', timed out' : ''}); log ${logPath}:\n${tail}`,
          );
        }
      }
      const model = `${options.servedName}-v${version}`;
      if (options.vllmUrl) {
        await loadLoraAdapter({
          url: options.vllmUrl,
          name: model,
          path: adapterOut,
          ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
        });
      }
      return { policyVersion: version, model };
    },
  };
}
