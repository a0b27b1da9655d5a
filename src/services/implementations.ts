// Use case: turn an idea into a checked edit (the configured implementer, or the caller's own edit).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { errorMessage, ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { type EditAttempt, type Idea, type Implementation, SCHEMA_VERSION } from '../domain/records.js';
import { canonicalDiff, checkPythonSyntax, planEdit } from '../edits/index.js';
import type { Environment } from '../environments/registry.js';
import { writeArtifact } from '../store/artifacts.js';
import type { ServiceDeps } from './deps.js';
import { protectedGlobs, readEditableFiles } from './environment-files.js';

export interface ImplementIdeaInput {
  ideaId?: string;
  /** Free-text idea from the caller, stored as a new idea (needs `environment`). */
  idea?: { title?: string; text: string };
  environment?: string;
  /** The caller's own edit, applied and checked exactly like an implementer's. */
  edit?: string;
}

export const MAX_EDIT_CHARS = 400_000;

async function resolveIdea(deps: ServiceDeps, input: ImplementIdeaInput): Promise<Idea> {
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
    throw new ResearchError('bad_input', 'give either ideaId, or idea (its text) together with environment');
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

interface CheckedEdit {
  changes: { path: string; before: string | null; after: string | null }[];
  diff: string;
}

/** Plan the edit against the pristine environment, then syntax-check changed Python files. */
async function checkEdit(deps: ServiceDeps, environment: Environment, text: string): Promise<CheckedEdit> {
  const plan = await planEdit(environment.dir, text, {
    frozen: protectedGlobs(environment),
    editable: environment.manifest.editable,
  });
  const python = plan.changes.filter((change) => change.path.endsWith('.py') && change.after !== null);
  if (python.length > 0) {
    const scratch = await mkdtemp(join(deps.config.home, 'tmp', 'syntax-'));
    try {
      for (const change of python) {
        await mkdir(dirname(join(scratch, change.path)), { recursive: true });
        await writeFile(join(scratch, change.path), change.after as string);
      }
      const errors = await checkPythonSyntax(
        scratch,
        python.map((change) => change.path),
        await deps.resolvePython(environment),
      );
      if (errors.length > 0) {
        throw new ResearchError(
          'preflight_failed',
          `the edited code does not compile:\n${errors.map((e) => `${e.file}: ${e.error}`).join('\n')}`,
        );
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return { changes: plan.changes, diff: canonicalDiff(plan.changes) };
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
  const attempts: EditAttempt[] = [];
  const maxAttempts = input.edit !== undefined ? 1 : 1 + deps.config.implementer.revisions;
  let previous: { edit: string; error: string } | undefined;
  let lastError: ResearchError | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    signal?.throwIfAborted();
    const text =
      input.edit ??
      (await deps.editWriter.writeEdit({ manifest: environment.manifest, files, idea, previous }, { signal }));
    const rawPath = await writeArtifact(deps.config.home, id, `attempt-${attempt}.edit`, text);
    try {
      const checked = await checkEdit(deps, environment, text);
      attempts.push({ rawPath });
      return await saveReady(deps, {
        id,
        idea,
        attempts,
        checked,
        implementer: input.edit !== undefined ? 'client' : deps.editWriter.name,
      });
    } catch (error) {
      if (!ResearchError.is(error, 'edit_refused') && !ResearchError.is(error, 'preflight_failed')) throw error;
      attempts.push({ rawPath, error: error.message });
      previous = { edit: text, error: error.message };
      lastError = error;
    }
  }
  const implementation: Implementation = {
    id,
    schemaVersion: SCHEMA_VERSION,
    ideaId: idea.id,
    environment: idea.environment,
    implementer: input.edit !== undefined ? 'client' : deps.editWriter.name,
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
  parts: { id: string; idea: Idea; attempts: EditAttempt[]; checked: CheckedEdit; implementer: string },
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
    status: 'ready',
    diffPath: await writeArtifact(deps.config.home, id, 'diff.patch', checked.diff),
    filesChanged: checked.changes.map((change) => change.path),
    changes,
    attempts: parts.attempts,
    createdAt: new Date().toISOString(),
  };
  await deps.store.implementations.put(implementation);
  return implementation;
}
