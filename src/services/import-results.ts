// Import an autoresearch results.tsv as history: each row an idea with what it scored, so searches know what was tried.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { type Experiment, type Idea, type Implementation, SCHEMA_VERSION } from '../domain/records.js';
import type { Manifest } from '../environments/manifest.js';
import { summarizeReward } from '../reward/compute-reward.js';
import type { ServiceDeps } from './deps.js';

/** Ideas imported from elsewhere carry this provider; searches show them to the ideator as earlier attempts. */
export const IMPORTED_PROVIDER = 'imported';
/** The profile of imported results: never compared with groundwork's own runs or baseline. */
export const IMPORTED_PROFILE = 'imported';
const REQUIRED = ['commit', 'status', 'description'];

export interface ResultsTable {
  path: string;
  header: string[];
  rows: string[][];
}

/** Reads and checks a results.tsv (`commit, val_bpb, memory_gb, status, description`, tab-separated). */
export async function readResultsTsv(repo: string, file: string): Promise<ResultsTable> {
  const candidates = isAbsolute(file) ? [file] : [join(repo, file), resolve(file)];
  let text: string | undefined;
  let path = candidates[0] as string;
  for (const candidate of candidates) {
    text = await readFile(candidate, 'utf8').catch(() => undefined);
    path = candidate;
    if (text !== undefined) break;
  }
  if (text === undefined)
    throw new ResearchError('bad_input', `--import-results: cannot read ${candidates.join(' or ')}`);
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split('\t').map((cell) => cell.trim().toLowerCase());
  const absent = REQUIRED.filter((column) => !header.includes(column));
  if (absent.length > 0 || header.length < 4) {
    throw new ResearchError(
      'bad_input',
      `--import-results ${path}: expected a tab-separated header "commit, val_bpb, memory_gb, status, description"; missing ${absent.join(', ') || 'a metric column'}`,
    );
  }
  const rows = lines.slice(1).map((line) => line.split('\t'));
  const short = rows.findIndex((row) => row.length < header.length - 1);
  if (short >= 0)
    throw new ResearchError(
      'bad_input',
      `--import-results ${path}: line ${short + 2} has ${rows[short]?.length} column(s), not ${header.length}`,
    );
  return { path, header, rows };
}

/** Stores each row as an idea with an ended experiment under the `imported` profile; returns how many. */
export async function importResults(deps: ServiceDeps, manifest: Manifest, table: ResultsTable): Promise<number> {
  const column = (name: string): number => table.header.indexOf(name);
  const metricColumn = column(manifest.metric.name) >= 0 ? column(manifest.metric.name) : 1;
  const now = new Date().toISOString();
  for (const row of table.rows) {
    const cell = (index: number): string => (row[index] ?? '').trim();
    const commit = cell(column('commit'));
    const status = cell(column('status')) || 'unknown';
    const description = cell(column('description')) || `commit ${commit}`;
    const value = Number(cell(metricColumn));
    const crashed = status === 'crash' || !Number.isFinite(value) || value === 0;
    const idea: Idea = {
      id: newId('idea'),
      schemaVersion: SCHEMA_VERSION,
      environment: manifest.name,
      title: `[results.tsv] ${description}`.slice(0, 120),
      text: `${description}\n\nTried before groundwork (commit ${commit}, ${table.path}): ${crashed ? 'crashed' : `${manifest.metric.name} ${value}`}, ${status}.`,
      origin: { provider: IMPORTED_PROVIDER, model: 'results.tsv', kind: 'client' },
      parentIds: [],
      createdAt: now,
    };
    const implementation: Implementation = {
      id: newId('impl'),
      schemaVersion: SCHEMA_VERSION,
      ideaId: idea.id,
      environment: manifest.name,
      implementer: IMPORTED_PROVIDER,
      status: 'failed',
      filesChanged: [],
      changes: [],
      attempts: [],
      error: {
        category: 'edit_refused',
        message: `imported from results.tsv: the change is commit ${commit} of the repository, not an edit groundwork holds`,
      },
      createdAt: now,
    };
    const failure = {
      category: 'crashed' as const,
      message: `crashed when it was tried (results.tsv, commit ${commit})`,
      logTail: '',
    };
    const experiment: Experiment = {
      id: newId('exp'),
      schemaVersion: SCHEMA_VERSION,
      implementationId: implementation.id,
      ideaId: idea.id,
      environment: manifest.name,
      profile: IMPORTED_PROFILE,
      state: crashed ? 'failed' : 'succeeded',
      runs: [
        {
          seed: 0,
          state: crashed ? 'failed' : 'succeeded',
          attempt: 1,
          ...(crashed ? { failure } : { metric: value }),
        },
      ],
      ...(crashed
        ? { failure }
        : {
            // The same reward function every experiment's result goes through (a history row has one seed).
            result: summarizeReward([value], { ...manifest.metric, selfReported: true }),
          }),
      createdAt: now,
      updatedAt: now,
    };
    await deps.store.ideas.put(idea);
    await deps.store.implementations.put(implementation);
    await deps.store.experiments.put(experiment);
  }
  return table.rows.length;
}
