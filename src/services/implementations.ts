// Use case: turn an idea into a checked edit (the configured implementer's N×R sample chains, or the caller's own edit).
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { errorMessage, ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { MAX_EDIT_CHARS } from '../domain/limits.js';
import { type EditAttempt, type Idea, type Implementation, SCHEMA_VERSION } from '../domain/records.js';
import { readEditableFiles } from '../environments/environment-files.js';
import { type CheckedEdit, checkEdit } from '../implementer/check-edit.js';
import { asWrittenEdit } from '../implementer/implementer.js';
import { runSampleChains } from '../implementer/sample-chains.js';
import { implementationIntegrity, readArtifact, writeArtifact } from '../store/artifacts.js';
import type { ServiceDeps } from './deps.js';

export interface ImplementIdeaInput {
  ideaId?: string;
  /** Free-text idea from the caller, stored as a new idea (needs `environment`). */
  idea?: { title?: string; text: string };
  environment?: string;
  /** The caller's own edit, applied and checked exactly like an implementer's. */
  edit?: string;
}

/** sha256 (hex) of a canonical diff: the key under which an edit that was already run is found again. */
export function diffHashOf(diff: string): string {
  return createHash('sha256').update(diff).digest('hex');
}

/** The implementation's diff hash: stored, or computed from its diff artifact for records written before it was. */
export async function implementationDiffHash(
  home: string,
  implementation: Implementation,
): Promise<string | undefined> {
  if (implementation.diffHash) return implementation.diffHash;
  if (!implementation.diffPath) return undefined;
  const diff = await readArtifact(home, implementation.diffPath).catch(() => undefined);
  return diff === undefined ? undefined : diffHashOf(diff);
}

async function resolveIdea(deps: ServiceDeps, input: ImplementIdeaInput): Promise<Idea> {
  if (input.ideaId !== undefined && input.idea !== undefined) {
    throw new ResearchError('bad_input', 'give either idea_id or idea (with environment), not both');
  }
  if (input.ideaId) {
    const idea = await deps.store.ideas.get(input.ideaId);
    if (!idea)
      throw new ResearchError(
        'not_found',
        `no idea ${input.ideaId}; use an id returned by propose_idea, or pass the idea text with an environment`,
      );
    return idea;
  }
  if (!input.idea || !input.environment) {
    throw new ResearchError(
      'bad_input',
      'give idea_id (from propose_idea), or idea (your idea text) together with environment (from list_environments)',
    );
  }
  await deps.environments.get(input.environment);
  const idea: Idea = {
    id: newId('idea'),
    schemaVersion: SCHEMA_VERSION,
    environment: input.environment,
    title: input.idea.title ?? input.idea.text.slice(0, 80),
    text: input.idea.text,
    origin: { provider: 'client', model: 'client', kind: 'client' },
    parentIds: [],
    createdAt: new Date().toISOString(),
  };
  await deps.store.ideas.put(idea);
  return idea;
}

export async function implementIdea(
  deps: ServiceDeps,
  input: ImplementIdeaInput,
  signal?: AbortSignal,
): Promise<Implementation> {
  if (input.edit !== undefined && input.edit.length > MAX_EDIT_CHARS) {
    throw new ResearchError(
      'bad_input',
      `edit is ${input.edit.length} characters; the limit is ${MAX_EDIT_CHARS}. Send a diff or search/replace blocks instead of whole files`,
    );
  }
  const idea = await resolveIdea(deps, input);
  const environment = await deps.environments.get(idea.environment);
  await mkdir(join(deps.config.home, 'tmp'), { recursive: true });
  const id = newId('impl');
  const files = await readEditableFiles(environment);
  const client = input.edit !== undefined;
  const implementer = client ? 'client' : deps.implementer.name;
  // A client's edit is one attempt; a deterministic implementer would only repeat itself.
  const single = client || deps.implementer.deterministic === true;
  const outcome = await runSampleChains({
    samples: single ? 1 : deps.config.llm.implementer.samples,
    revisions: single ? 0 : deps.config.llm.implementer.revisions,
    signal,
    write: async (history, chainSignal) =>
      client
        ? { text: input.edit as string }
        : asWrittenEdit(
            await deps.implementer.writeEdit(
              { manifest: environment.manifest, files, idea, previous: history.at(-1), history, implementationId: id },
              { signal: chainSignal },
            ),
          ),
    check: (text) =>
      checkEdit(environment, text, {
        tmpDir: join(deps.config.home, 'tmp'),
        python: () => deps.resolvePython(environment),
      }),
    isFeedback: (error): error is ResearchError =>
      ResearchError.is(error, 'edit_refused') || ResearchError.is(error, 'preflight_failed'),
  });
  const attempts: EditAttempt[] = [];
  for (const attempt of outcome.attempts) {
    const name = client ? 'attempt-0.edit' : `attempt-${attempt.chain}.${attempt.revision}.edit`;
    attempts.push({
      ...(attempt.text === undefined ? {} : { rawPath: await writeArtifact(deps.config.home, id, name, attempt.text) }),
      ...(attempt.error === undefined ? {} : { error: attempt.error }),
      ...(client ? {} : { chain: attempt.chain, revision: attempt.revision }),
      ...(attempt.model ? { model: attempt.model } : {}),
      ...(attempt.callId ? { callId: attempt.callId } : {}),
      outcome: attempt.outcome,
    });
  }
  const model =
    outcome.winner?.attempt.model ?? attempts.find((attempt) => attempt.model)?.model ?? deps.implementer.model;
  if (outcome.winner) {
    return saveReady(deps, {
      id,
      idea,
      attempts,
      checked: outcome.winner.checked,
      implementer,
      ...(client || !model ? {} : { model }),
    });
  }
  const lastError = outcome.lastRefusal;
  // Only failed calls, not one answer: the provider is down or misconfigured, which is not the idea's fault.
  if (!lastError && outcome.lastApiError) throw outcome.lastApiError;
  const implementation: Implementation = {
    id,
    schemaVersion: SCHEMA_VERSION,
    ideaId: idea.id,
    environment: idea.environment,
    implementer,
    ...(client || !model ? {} : { model }),
    status: 'failed',
    filesChanged: [],
    changes: [],
    attempts,
    error: {
      category: lastError?.code === 'preflight_failed' ? 'preflight_failed' : 'edit_refused',
      message: errorMessage(lastError),
    },
    createdAt: new Date().toISOString(),
  };
  await deps.store.implementations.put(implementation);
  return implementation;
}

async function saveReady(
  deps: ServiceDeps,
  parts: {
    id: string;
    idea: Idea;
    attempts: EditAttempt[];
    checked: CheckedEdit;
    implementer: string;
    model?: string;
  },
): Promise<Implementation> {
  const { id, idea, checked } = parts;
  const changes: Implementation['changes'] = [];
  for (const change of checked.changes) {
    changes.push({
      path: change.path,
      artifact:
        change.after === null
          ? null
          : await writeArtifact(deps.config.home, id, join('files', change.path), change.after),
    });
  }
  const implementation: Implementation = {
    id,
    schemaVersion: SCHEMA_VERSION,
    ideaId: idea.id,
    environment: idea.environment,
    implementer: parts.implementer,
    ...(parts.model ? { model: parts.model } : {}),
    status: 'ready',
    diffPath: await writeArtifact(deps.config.home, id, 'diff.patch', checked.diff),
    diffHash: diffHashOf(checked.diff),
    filesChanged: checked.changes.map((change) => change.path),
    changes,
    integrity: implementationIntegrity(
      checked.diff,
      checked.changes.map((change) => ({ path: change.path, content: change.after })),
    ),
    attempts: parts.attempts,
    createdAt: new Date().toISOString(),
  };
  await deps.store.implementations.put(implementation);
  return implementation;
}
