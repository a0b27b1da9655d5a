// Use case: propose ideas for an environment with the configured ideator, and store them.
import { ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { IdeaCount, MAX_IDEAS_PER_CALL } from '../domain/limits.js';
import { type Idea, type PromptKind, SCHEMA_VERSION } from '../domain/records.js';
import { readEditableFiles } from '../environments/environment-files.js';
import type { IdeaOutcome } from '../ideation/ideator.js';
import type { ServiceDeps } from './deps.js';
import { IMPORTED_PROVIDER } from './import-results.js';

export interface ProposeIdeasInput {
  environment: string;
  count?: number;
  guidance?: string;
  parentIds?: string[];
  kind?: PromptKind;
  searchId?: string;
  epoch?: number;
  seed?: number;
  /** `control`: for a search's control arm, which sees only its own earlier ideas (and the search's arm only its own). */
  arm?: 'control';
}

/** Ideas with their latest experiment (or why no edit could be made), in the order given. */
export async function outcomesOf(deps: ServiceDeps, ideas: readonly Idea[]): Promise<IdeaOutcome[]> {
  const ids = new Set(ideas.map((idea) => idea.id));
  const experiments = await deps.store.experiments.list((experiment) => ids.has(experiment.ideaId));
  const failedEdits = await deps.store.implementations.list((i) => ids.has(i.ideaId) && i.status === 'failed');
  return ideas.map((idea) => {
    const experiment = experiments.filter((e) => e.ideaId === idea.id).at(-1);
    const implementationError = experiment ? undefined : failedEdits.filter((i) => i.ideaId === idea.id).at(-1)?.error;
    return {
      idea,
      experiment,
      ...(implementationError
        ? { implementationError: `${implementationError.category}: ${implementationError.message}` }
        : {}),
    };
  });
}

export async function proposeIdeas(deps: ServiceDeps, input: ProposeIdeasInput, signal?: AbortSignal): Promise<Idea[]> {
  const count = input.count ?? 5;
  if (!IdeaCount.safeParse(count).success) {
    throw new ResearchError('bad_input', `count must be an integer from 1 to ${MAX_IDEAS_PER_CALL}; got ${count}`);
  }
  const environment = await deps.environments.get(input.environment);
  const parents: Idea[] = [];
  for (const id of input.parentIds ?? []) {
    const parent = await deps.store.ideas.get(id);
    if (!parent) throw new ResearchError('not_found', `no idea ${id}; use ids returned by propose_idea`);
    if (parent.environment !== input.environment) {
      throw new ResearchError(
        'bad_input',
        `idea ${id} belongs to environment ${parent.environment}, not ${input.environment}`,
      );
    }
    parents.push(parent);
  }
  // A search sees its own ideas, plus what was tried before groundwork (an imported results.tsv).
  const history = await deps.store.ideas.list((idea) =>
    input.searchId
      ? (idea.searchId === input.searchId && idea.arm === input.arm) ||
        (idea.environment === input.environment && idea.origin.provider === IMPORTED_PROVIDER)
      : idea.environment === input.environment,
  );
  // Ideas tried elsewhere in the environment, never to be proposed again. A control arm does not avoid its own
  // search's candidates (it stays independent of them).
  const known = new Set(history.map((idea) => idea.id));
  const avoid = input.searchId
    ? await deps.store.ideas.list(
        (idea) =>
          idea.environment === input.environment &&
          !known.has(idea.id) &&
          !(input.arm === 'control' && idea.searchId === input.searchId),
      )
    : [];
  const kind = input.kind ?? (parents.length > 0 ? 'exploit' : 'seed');
  const proposed = await deps.ideator.propose(
    {
      manifest: environment.manifest,
      files: await readEditableFiles(environment),
      count,
      kind,
      parents: await outcomesOf(deps, parents),
      history: await outcomesOf(deps, history),
      ...(avoid.length > 0 ? { avoid } : {}),
      guidance: input.guidance,
      seed: input.seed ?? history.length + 1,
      ...(input.searchId ? { searchId: input.searchId } : {}),
    },
    { signal },
  );
  const ideas: Idea[] = [];
  for (const proposal of proposed) {
    const idea: Idea = {
      id: newId('idea'),
      schemaVersion: SCHEMA_VERSION,
      environment: input.environment,
      title: proposal.title,
      text: proposal.text,
      origin: { provider: deps.ideator.name, model: proposal.model ?? deps.ideator.model, kind },
      parentIds: proposal.parentIds ?? parents.map((parent) => parent.id),
      ...(input.epoch !== undefined ? { epoch: input.epoch } : {}),
      ...(input.searchId ? { searchId: input.searchId } : {}),
      ...(input.arm ? { arm: input.arm } : {}),
      ...(proposal.knobs ? { knobs: proposal.knobs } : {}),
      createdAt: new Date().toISOString(),
    };
    await deps.store.ideas.put(idea);
    ideas.push(idea);
  }
  return ideas;
}
