// Proposing ideas for a search, in calls of at most MAX_IDEAS_PER_CALL, for its candidates or its control arm.
import { MAX_IDEAS_PER_CALL } from '../domain/limits.js';
import type { Idea, PromptKind } from '../domain/records.js';
import { proposeIdeas } from '../services/ideas.js';
import type { Evaluation } from './search-context.js';
import type { Drive } from './search-drive.js';

export async function proposeFor(
  drive: Drive,
  request: {
    kind: PromptKind;
    count: number;
    parents?: readonly Evaluation[];
    epoch: number;
    arm?: 'control';
    salt: number;
  },
): Promise<Idea[]> {
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
  if (!request.arm) drive.candidateIdeas += ideas.length;
  return ideas;
}
