// Proposing ideas for a search, in calls of at most MAX_IDEAS_PER_CALL, for its candidates or its control arm. One
// search proposes one call at a time (each sees the ideas stored before it); a candidate idea the duplicate gate
// rejects is counted, costs nothing of the idea budget, and is replaced (at most MAX_REPLACEMENT_ROUNDS times).
import { MAX_IDEAS_PER_CALL } from '../domain/limits.js';
import type { Idea, PromptKind } from '../domain/records.js';
import { proposeIdeas } from '../services/ideas.js';
import type { Evaluation } from './search-context.js';
import type { Drive } from './search-drive.js';

/** Rounds of replacements asked for after the gate rejected proposals, per proposal request (per slot in steady). */
export const MAX_REPLACEMENT_ROUNDS = 3;

export interface ProposeRequest {
  kind: PromptKind;
  count: number;
  parents?: readonly Evaluation[];
  epoch: number;
  arm?: 'control';
  salt: number;
}

/** The propose step of each search, serialised: concurrent steady pipelines would otherwise see the same history. */
const locks = new WeakMap<Drive, Promise<unknown>>();

function serialize<T>(drive: Drive, task: () => Promise<T>): Promise<T> {
  const previous = locks.get(drive) ?? Promise.resolve();
  const next = previous.then(task, task);
  locks.set(
    drive,
    next.catch(() => undefined),
  );
  return next;
}

async function proposeOnce(drive: Drive, request: ProposeRequest): Promise<Idea[]> {
  const ideas: Idea[] = [];
  for (let offset = 0; offset < request.count; offset += MAX_IDEAS_PER_CALL) {
    drive.signal.throwIfAborted();
    const proposed = await proposeIdeas(
      drive.deps,
      {
        environment: drive.search.environment,
        count: Math.min(MAX_IDEAS_PER_CALL, request.count - offset),
        kind: request.kind,
        parentIds: request.parents?.map((parent) => parent.idea.id),
        searchId: drive.search.id,
        epoch: request.epoch,
        seed: drive.seed * 1000 + request.salt + offset + (request.arm ? 500 : 0),
        ...(request.arm ? { arm: request.arm } : {}),
      },
      drive.signal,
    );
    ideas.push(...proposed);
  }
  return ideas;
}

/** The ideas the duplicate gate lets through; the others are recorded as rejected duplicates of the search. */
async function gateIdeas(drive: Drive, ideas: readonly Idea[]): Promise<Idea[]> {
  const { gate, search } = drive;
  if (!gate) return [...ideas];
  const passed: Idea[] = [];
  for (const idea of ideas) {
    const verdict = await gate.check(search.environment, idea.text, {
      ideaId: idea.id,
      ...(idea.knobs ? { knobs: idea.knobs } : {}),
    });
    if (verdict.duplicateOf && verdict.duplicateOf !== idea.id) {
      search.duplicates = { ...search.duplicates, [idea.id]: verdict.duplicateOf };
      drive.log.info('rejected a near-duplicate idea', { idea: idea.id, of: verdict.duplicateOf });
    } else passed.push(idea);
  }
  if (passed.length < ideas.length) await drive.save();
  return passed;
}

async function proposeChecked(drive: Drive, request: ProposeRequest): Promise<Idea[]> {
  if (request.arm) return proposeOnce(drive, request);
  const ideas: Idea[] = [];
  let rejected = 0;
  for (let round = 0; round <= MAX_REPLACEMENT_ROUNDS && ideas.length < request.count; round++) {
    const proposed = await proposeOnce(drive, {
      ...request,
      count: request.count - ideas.length,
      salt: request.salt + round * 100,
    });
    if (proposed.length === 0) break;
    const passed = await gateIdeas(drive, proposed);
    rejected += proposed.length - passed.length;
    ideas.push(...passed);
    if (passed.length === proposed.length) break;
  }
  if (ideas.length < request.count && rejected > 0) {
    const message = `the ideator proposed only duplicates of ideas already tried (${rejected} rejected over ${MAX_REPLACEMENT_ROUNDS} replacement rounds); no new idea left to run`;
    drive.search.stopped ??= { reason: 'ideas_exhausted', message };
    drive.log.warn('stopping: no new ideas', { rejected });
  }
  drive.candidateIdeas += ideas.length;
  return ideas;
}

/**
 * Proposes `count` ideas (fewer when the ideator runs out of new ones: the search then has `stopped` set). Candidate
 * ideas have passed the duplicate gate; only they count against the idea budget.
 */
export function proposeFor(drive: Drive, request: ProposeRequest): Promise<Idea[]> {
  return serialize(drive, () => proposeChecked(drive, request));
}
