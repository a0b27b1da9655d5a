// Shared test data for the model, ideator and implementer tests: recorded-style responses, requests, toy ideas.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { Idea } from '../../src/domain/records.js';
import { loadManifest } from '../../src/environments/registry.js';
import type { ProposeRequest } from '../../src/ideation/ideator.js';
import { FIXTURE_ENVIRONMENTS } from './test-server.js';

export const LLM_FIXTURES = resolve(import.meta.dirname, '../fixtures/llm');

/** A recorded-style response body from test/fixtures/llm/<provider>/<name>.json. */
export function recorded(provider: 'openai' | 'anthropic', name: string): unknown {
  return JSON.parse(readFileSync(join(LLM_FIXTURES, provider, `${name}.json`), 'utf8')) as unknown;
}

export const TOY_FILES = { 'train.py': 'LEARNING_RATE = 0.1\nWIDTH = 8\n\nprint("training")\n' };

export async function toyManifest() {
  return (await loadManifest(join(FIXTURE_ENVIRONMENTS, 'toy'))).manifest;
}

export async function proposeRequest(overrides: Partial<ProposeRequest> = {}): Promise<ProposeRequest> {
  return {
    manifest: await toyManifest(),
    files: TOY_FILES,
    count: 3,
    kind: 'seed',
    parents: [],
    history: [],
    seed: 1,
    ...overrides,
  };
}

export function makeIdea(
  id: string,
  title: string,
  text = `[Experiment] ${title} in detail. [Code Changes] edit train.py`,
): Idea {
  return {
    id,
    schemaVersion: 1,
    environment: 'toy',
    title,
    text,
    origin: { provider: 'openai', model: 'm', kind: 'seed' },
    parentIds: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/** An idea as the offline ideator makes it: exact knob settings, with the id as title and text. */
export function knobIdea(id: string, knobs: Record<string, number>): Idea {
  return { ...makeIdea(id, id, id), origin: { provider: 'offline', model: 'x', kind: 'seed' }, knobs, createdAt: '' };
}
