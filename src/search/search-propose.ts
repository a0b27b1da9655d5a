// Proposing ideas for a search, in calls of at most MAX_IDEAS_PER_CALL, for its candidates or its control arm. At most
// PROPOSALS_IN_FLIGHT calls of one search run at once; requests that wait for a call and ask for the same kind of idea
// from the same parents are merged into one call, so the ideator sees them together (fewer near-duplicates) and a
// steady search is not held back one call at a time. A candidate idea the duplicate gate rejects is counted, costs
// nothing of the idea budget, and is replaced (at most MAX_REPLACEMENT_ROUNDS times).
import { MAX_IDEAS_PER_CALL } from '../domain/limits.js';
import type { Idea, PromptKind } from '../domain/records.js';
import { proposeIdeas } from '../services/ideas.js';
import type { Evaluation } from './search-context.js';
import type { Drive } from './search-drive.js';

/** Rounds of replacements asked for after the gate rejected proposals, per proposal request (per slot in steady). */
export const MAX_REPLACEMENT_ROUNDS = 3;
/**
 * Ideator calls of one search in flight at once (the LLM client's own limit still caps calls across searches); one
 * for an ideator that answers locally, at once.
 */
export const PROPOSALS_IN_FLIGHT = 2;

const callsInFlight = (drive: Drive): number => (drive.deps.ideator.local ? 1 : PROPOSALS_IN_FLIGHT);

export interface ProposeRequest {
  kind: PromptKind;
  count: number;
  parents?: readonly Evaluation[];
  epoch: number;
  arm?: 'control';
  salt: number;
}

interface Waiting {
  /** What is still wanted (`count`: the ideas not yet received). */
  request: ProposeRequest;
  /** Ideas an earlier, short call already gave this request. */
  received: Idea[];
  resolve(ideas: Idea[]): void;
  reject(error: unknown): void;
}

interface Proposer {
  inFlight: number;
  waiting: Waiting[];
  /** A pump is due at the end of this turn of the event loop, so requests made together go in one call. */
  scheduled: boolean;
}

const proposers = new WeakMap<Drive, Proposer>();

/** Requests one call can answer together: same kind, arm, parents and epoch. */
const mergeKey = (request: ProposeRequest): string =>
  JSON.stringify([request.kind, request.arm ?? '', request.epoch, request.parents?.map((p) => p.idea.id) ?? []]);

/** Starts calls while fewer than PROPOSALS_IN_FLIGHT run, each answering the first waiting request and its kin. */
function pump(drive: Drive, proposer: Proposer): void {
  proposer.scheduled = false;
  while (proposer.inFlight < callsInFlight(drive) && proposer.waiting.length > 0) {
    const head = proposer.waiting.shift() as Waiting;
    const group = [head];
    const key = mergeKey(head.request);
    let count = head.request.count;
    for (let i = 0; i < proposer.waiting.length;) {
      const other = proposer.waiting[i] as Waiting;
      if (mergeKey(other.request) === key && count + other.request.count <= MAX_IDEAS_PER_CALL) {
        group.push(other);
        count += other.request.count;
        proposer.waiting.splice(i, 1);
      } else i++;
    }
    proposer.inFlight++;
    proposeOnce(drive, { ...head.request, count })
      .then(
        (ideas) => {
          // A call may give fewer ideas than asked (repeats dropped, an answer cut short). The request it was made
          // for takes what there is, as an unshared call's would; any other that came up short waits, first in
          // line, for the next call instead of being told there are no ideas.
          let taken = 0;
          const short: Waiting[] = [];
          group.forEach((waiting, index) => {
            const share = ideas.slice(taken, taken + waiting.request.count);
            taken += share.length;
            const received = [...waiting.received, ...share];
            if (index === 0 || share.length === waiting.request.count) waiting.resolve(received);
            else
              short.push({
                ...waiting,
                received,
                request: { ...waiting.request, count: waiting.request.count - share.length },
              });
          });
          proposer.waiting.unshift(...short);
        },
        (error: unknown) => group.forEach((waiting) => waiting.reject(error)),
      )
      .finally(() => {
        proposer.inFlight--;
        pump(drive, proposer);
      });
  }
}

/** Ideas for one request, from a call it may share with other waiting requests of the same search. */
function requestIdeas(drive: Drive, request: ProposeRequest): Promise<Idea[]> {
  let proposer = proposers.get(drive);
  if (!proposer) proposers.set(drive, (proposer = { inFlight: 0, waiting: [], scheduled: false }));
  const queue = proposer;
  return new Promise((resolve, reject) => {
    queue.waiting.push({ request, received: [], resolve, reject });
    if (queue.scheduled) return;
    queue.scheduled = true;
    setImmediate(() => pump(drive, queue));
  });
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
        seed: drive.seed * 1000 + request.salt + offset + (request.arm ? 500_000 : 0),
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
  if (request.arm) return requestIdeas(drive, request);
  const ideas: Idea[] = [];
  let rejected = 0;
  let calls = 0;
  for (let round = 0; round <= MAX_REPLACEMENT_ROUNDS && ideas.length < request.count; round++) {
    calls++;
    const proposed = await requestIdeas(drive, {
      ...request,
      count: request.count - ideas.length,
      salt: request.salt + round * 10_000,
    });
    if (proposed.length === 0) break;
    const passed = await gateIdeas(drive, proposed);
    rejected += proposed.length - passed.length;
    ideas.push(...passed);
    if (passed.length === proposed.length) break;
  }
  // Short because of duplicates, or with nothing at all (an ideator whose moves ran out): the search has no new ideas.
  if (ideas.length < request.count && (rejected > 0 || ideas.length === 0)) {
    const message =
      rejected > 0
        ? `the ideator proposed only duplicates of ideas already tried (${rejected} rejected in ${calls} calls); no new idea left to run`
        : 'the ideator proposed no new idea; no new idea left to run';
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
  return proposeChecked(drive, request);
}
