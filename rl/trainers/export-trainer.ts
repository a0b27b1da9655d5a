// The `export` trainer: writes each epoch's batch as JSONL and waits for an external trainer's ready file.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import { ResearchError } from '../../src/domain/errors.js';
import { atomicWrite } from '../../src/util/atomic-write.js';
import { exportFiles } from '../run-files.js';
import type { TrainedPolicy, Trainer, TrainingBatch } from '../types.js';

/** The contract for any external trainer: `<dir>/epoch-<k>.ready.json` holds the name the endpoint now serves. */
export const ReadyFile = z.object({
  model: z.string().min(1),
  policy_version: z.number().int().positive().optional(),
});

export interface ExportTrainerOptions {
  dir: string;
  pollMs?: number;
  /** Told once per epoch which file it waits for. */
  onWaiting?: (readyFile: string, epoch: number) => void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

async function readReady(file: string): Promise<z.infer<typeof ReadyFile> | string> {
  try {
    const parsed = ReadyFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : z.prettifyError(parsed.error);
  } catch (error) {
    return (error as Error).message;
  }
}

export function createExportTrainer(options: ExportTrainerOptions): Trainer {
  const pollMs = options.pollMs ?? 1000;
  return {
    kind: 'export',
    async train(batch: TrainingBatch, signal?: AbortSignal): Promise<TrainedPolicy> {
      const files = exportFiles(options.dir, batch.epoch);
      // A resumed run whose trainer already answered does not export again.
      if (!existsSync(files.ready)) {
        await atomicWrite(files.batch, batch.lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
        options.onWaiting?.(files.ready, batch.epoch);
      }
      for (let tries = 0; ;) {
        if (existsSync(files.ready)) {
          const ready = await readReady(files.ready);
          if (typeof ready !== 'string') {
            return { policyVersion: ready.policy_version ?? batch.policyVersion + 1, model: ready.model };
          }
          // A trainer that writes the file in place may be caught half-way: look again before giving up.
          if (++tries >= 3) {
            throw new ResearchError(
              'bad_input',
              `${files.ready} is not { "model": "<name the endpoint now serves>" }: ${ready}; fix it and run "groundwork rl resume"`,
            );
          }
        }
        if (signal?.aborted) throw new ResearchError('cancelled', `stopped while waiting for ${files.ready}`);
        await sleep(pollMs, signal);
      }
    },
  };
}
