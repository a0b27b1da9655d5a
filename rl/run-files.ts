// Plain files beside a run (`<home>/rl/<id>/`): what other processes read while the run holds the data directory.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ResearchError } from '../src/domain/errors.js';
import type { RlEpoch, RlRun } from '../src/domain/rl-records.js';
import { atomicWrite } from '../src/util/atomic-write.js';
import { metricsJson } from './metrics.js';

export interface RunInfo {
  id: string;
  environment: string;
  trainer: string;
  /** The export trainer's folder. */
  exportDir?: string;
}

export type RunStatusJson = ReturnType<typeof runStatusJson>;

export const runDir = (home: string, id: string): string => join(home, 'rl', id);

/** What `rl status --json` prints, and what the status file holds. */
export function runStatusJson(run: RlRun, epochs: readonly RlEpoch[]) {
  return {
    id: run.id,
    state: run.state as string,
    environment: run.environment,
    epoch: run.epoch,
    policy_version: run.policyVersion,
    model: run.model,
    mitigations: run.options.mitigations,
    ...(run.error ? { error: run.error } : {}),
    epochs: epochs.flatMap((e) => (e.metrics ? [metricsJson(e.epoch, e.metrics)] : [])),
  };
}

export async function writeRunInfo(home: string, info: RunInfo): Promise<void> {
  await atomicWrite(join(runDir(home, info.id), 'run.json'), JSON.stringify(info, null, 2) + '\n');
}

export async function readRunInfo(home: string, id: string): Promise<RunInfo> {
  if (!/^[\w.-]+$/.test(id)) throw new ResearchError('bad_input', `"${id}" is not an RL run id (rl_…)`);
  try {
    return JSON.parse(await readFile(join(runDir(home, id), 'run.json'), 'utf8')) as RunInfo;
  } catch {
    throw new ResearchError('not_found', `no RL run ${id} in ${home}; "groundwork rl list" shows the runs`);
  }
}

export async function writeStatusFile(home: string, status: RunStatusJson): Promise<void> {
  await atomicWrite(join(runDir(home, status.id), 'status.json'), JSON.stringify(status, null, 2) + '\n');
}

/** Every run's status file, oldest run first (ids sort by time). */
export async function readStatusFiles(home: string): Promise<RunStatusJson[]> {
  const ids = await readdir(join(home, 'rl')).catch(() => [] as string[]);
  const out: RunStatusJson[] = [];
  for (const id of ids.sort()) {
    const file = join(runDir(home, id), 'status.json');
    if (existsSync(file)) out.push(JSON.parse(await readFile(file, 'utf8')) as RunStatusJson);
  }
  return out;
}

/** The export trainer's files for epoch k. */
export const exportFiles = (dir: string, epoch: number) => ({
  batch: join(dir, `epoch-${epoch}.jsonl`),
  ready: join(dir, `epoch-${epoch}.ready.json`),
});

/** The epoch whose batch is exported and has no ready file yet, if any. */
export async function waitingEpoch(dir: string): Promise<number | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const exported = names.flatMap((name) => /^epoch-(\d+)\.jsonl$/.exec(name)?.[1] ?? []).map(Number);
  const waiting = exported.filter((epoch) => !names.includes(`epoch-${epoch}.ready.json`));
  return waiting.length === 0 ? undefined : Math.max(...waiting);
}

/** `groundwork rl advance`: writes the ready file the export trainer waits for, naming the model now served. */
export async function advanceRun(home: string, id: string, model: string): Promise<{ epoch: number; file: string }> {
  if (model.trim() === '') throw new ResearchError('bad_input', '--model must name the model the endpoint now serves');
  const info = await readRunInfo(home, id);
  if (!info.exportDir) {
    throw new ResearchError(
      'bad_input',
      `run ${id} uses the ${info.trainer} trainer; only export runs wait for advance`,
    );
  }
  const epoch = await waitingEpoch(info.exportDir);
  if (epoch === undefined) {
    throw new ResearchError(
      'bad_input',
      `run ${id} is not waiting for a trainer: no exported batch lacks its ready file in ${info.exportDir}`,
    );
  }
  const file = exportFiles(info.exportDir, epoch).ready;
  await atomicWrite(file, JSON.stringify({ model }) + '\n');
  return { epoch, file };
}
