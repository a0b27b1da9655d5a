// Stored records for the dashboard's tests and bench: a finished search with a control arm and a running one (tiny-lm).
import { SCHEMA_VERSION } from '../../src/domain/records.js';
import type { Experiment, FailureCategory, Idea, Implementation, Run, Search } from '../../src/domain/records.js';
import { experimentIdFor } from '../../src/services/search-stats.js';
import type { Store } from '../../src/store/store.js';
import { writeArtifact } from '../../src/store/artifacts.js';
import { makeLlmCall } from '../fixtures/store/records.js';

export const HOSTILE = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;
const BASELINE = { value: 1.8773, std: 0.0087 };
const AT = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

export interface DashboardData {
  finished: Search;
  running: Search;
  bestIdeaId: string;
  bestExperimentId: string;
  hostileExperimentId: string;
  runningExperimentId: string;
  queuedExperimentId: string;
}

function idea(id: string, searchId: string, title: string, epoch: number, parentIds: string[], arm?: 'control'): Idea {
  return {
    id,
    schemaVersion: SCHEMA_VERSION,
    environment: 'tiny-lm',
    title,
    text: `[Experiment] ${title}. [Code Changes] In train.py change the schedule.`,
    origin: { provider: 'openai', model: 'gpt-5-mini', kind: parentIds.length > 0 ? 'exploit' : 'seed' },
    parentIds,
    epoch,
    searchId,
    ...(arm ? { arm } : {}),
    createdAt: AT(60),
  };
}

function run(seed: number, state: Run['state'], loss?: number, failure?: FailureCategory): Run {
  return {
    seed,
    state,
    attempt: 1,
    startedAt: AT(state === 'running' ? 1.5 : 30),
    ...(state === 'running' ? {} : { endedAt: AT(29) }),
    ...(loss !== undefined
      ? {
          metric: loss,
          curve: Array.from(
            { length: 16 },
            (_, i) => [(i + 1) * 25, loss + 2.5 * Math.exp(-i / 4) + seed * 0.01] as [number, number],
          ),
        }
      : {}),
    ...(failure ? { failure: { category: failure, message: 'Traceback: boom', logTail: 'RuntimeError: boom' } } : {}),
  };
}

export function experiment(
  id: string,
  ideaId: string,
  searchId: string,
  role: Experiment['role'],
  state: Experiment['state'],
  losses: number[] = [],
  failure?: FailureCategory,
): Experiment {
  const mean = losses.reduce((a, b) => a + b, 0) / Math.max(1, losses.length);
  const std = losses.length > 1 ? Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1)) : 0;
  return {
    id,
    schemaVersion: SCHEMA_VERSION,
    implementationId: `impl_${ideaId.replace(/^idea_/, '')}`,
    ideaId,
    environment: 'tiny-lm',
    profile: 'default',
    searchId,
    role,
    state,
    runs:
      state === 'succeeded'
        ? losses.map((loss, i) => run(i, 'succeeded', loss))
        : state === 'failed'
          ? [run(0, 'failed', undefined, failure)]
          : state === 'running'
            ? [run(0, 'running')]
            : [],
    ...(state === 'running' ? { devices: ['0'] } : {}),
    ...(state === 'succeeded'
      ? {
          result: {
            metric: { name: 'val_loss', value: mean, direction: 'min' as const, std, seeds: losses.length },
            reward: 1 / mean,
            baseline: {
              ...BASELINE,
              delta: mean - BASELINE.value,
              improved: mean < BASELINE.value,
              beyondNoise: BASELINE.value - mean > 2 * BASELINE.std,
              profile: 'default',
            },
          },
        }
      : {}),
    ...(state === 'failed' && failure
      ? { failure: { category: failure, message: `${failure}: the run stopped`, logTail: 'RuntimeError: boom' } }
      : {}),
    createdAt: AT(40),
    updatedAt: AT(state === 'running' ? 1 : 20),
  };
}

async function implementation(store: Store, home: string, ideaId: string, withDiff: boolean): Promise<void> {
  const id = `impl_${ideaId.replace(/^idea_/, '')}`;
  const diffPath = withDiff
    ? await writeArtifact(
        home,
        id,
        'edit.diff',
        '--- a/train.py\n+++ b/train.py\n@@ -1,3 +1,3 @@\n import torch\n-lr = 3e-4\n+lr = 6e-4  # <b>not bold</b>\n warmup = 100\n',
      )
    : undefined;
  const record: Implementation = {
    id,
    schemaVersion: SCHEMA_VERSION,
    ideaId,
    environment: 'tiny-lm',
    implementer: 'llm',
    model: 'gpt-5-mini',
    status: 'ready',
    ...(diffPath ? { diffPath } : {}),
    filesChanged: ['train.py'],
    changes: [],
    attempts: [
      {
        chain: 0,
        revision: 0,
        model: 'gpt-5-mini',
        outcome: 'failed',
        error: 'edit refused: SEARCH block not found in train.py',
      },
      { chain: 0, revision: 1, model: 'gpt-5-mini', outcome: 'passed' },
    ],
    createdAt: AT(50),
  };
  await store.implementations.put(record);
}

/**
 * A finished search (`generations` × `perGeneration` candidates, the best certified over 3 seeds, a control arm of
 * two, a failure or two per generation, a hostile idea title) and a running search (one succeeded, one running,
 * one queued). `diffs`: write a diff artifact for each implementation (off for the 10k bench).
 */
export async function seedDashboardData(
  store: Store,
  home: string,
  options: { generations?: number; perGeneration?: number; diffs?: boolean; prefix?: string; queued?: boolean } = {},
): Promise<DashboardData> {
  const { generations = 3, perGeneration = 3, diffs = true, prefix = 'dash', queued = true } = options;
  const finishedId = `search_${prefix}_done`;
  const runningId = `search_${prefix}_live`;
  const experiments: Experiment[] = [];
  const ideas: Idea[] = [];
  let parent: string | undefined;
  let best = { loss: Infinity, ideaId: '' };
  for (let g = 0; g < generations; g++) {
    let genBest = { loss: Infinity, ideaId: '' };
    for (let i = 0; i < perGeneration; i++) {
      const ideaId = `idea_${prefix}_g${g}_${i}`;
      const title = g === 0 && i === 1 ? `Hostile ${HOSTILE}` : `Generation ${g} idea ${i}`;
      ideas.push(idea(ideaId, finishedId, title, g, parent ? [parent] : []));
      const id = experimentIdFor(ideaId, 'candidate');
      if (i === perGeneration - 1 && g > 0) {
        experiments.push(experiment(id, ideaId, finishedId, 'candidate', 'failed', [], g % 2 ? 'crashed' : 'nan'));
        continue;
      }
      const loss = 1.9 - 0.02 * g - 0.004 * ((i * 7) % 5);
      experiments.push(experiment(id, ideaId, finishedId, 'candidate', 'succeeded', [loss]));
      if (loss < genBest.loss) genBest = { loss, ideaId };
    }
    if (genBest.loss < best.loss) best = genBest;
    parent = genBest.ideaId;
  }
  experiments.push(
    experiment(experimentIdFor(best.ideaId, 'certification'), best.ideaId, finishedId, 'certification', 'succeeded', [
      best.loss + 0.003,
      best.loss - 0.002,
    ]),
  );
  for (let i = 0; i < 2; i++) {
    const ideaId = `idea_${prefix}_control_${i}`;
    ideas.push(idea(ideaId, finishedId, `Control idea ${i}`, 0, [], 'control'));
    experiments.push(
      experiment(experimentIdFor(ideaId, 'control'), ideaId, finishedId, 'control', 'succeeded', [1.885 - i * 0.004]),
    );
  }
  const live = queued ? (['done', 'running', 'queued'] as const) : (['done', 'running'] as const);
  for (const [i, state] of live.entries()) {
    const ideaId = `idea_${prefix}_live_${i}`;
    ideas.push(idea(ideaId, runningId, `Live idea ${i} (${state})`, 0, []));
    experiments.push(
      experiment(
        experimentIdFor(ideaId, 'candidate'),
        ideaId,
        runningId,
        'candidate',
        state === 'done' ? 'succeeded' : state,
        [1.89],
      ),
    );
  }
  for (const record of ideas) await store.ideas.put(record);
  for (const record of ideas) await implementation(store, home, record.id, diffs);
  for (const record of experiments) await store.experiments.put(record);
  const search = (
    id: string,
    state: Search['state'],
    generation: number,
    options: Record<string, unknown>,
  ): Search => ({
    id,
    schemaVersion: SCHEMA_VERSION,
    environment: 'tiny-lm',
    strategy: 'evolutionary',
    options,
    state,
    epoch: generation,
    generation,
    experimentIds: experiments.filter((e) => e.searchId === id).map((e) => e.id),
    createdAt: AT(70),
    updatedAt: AT(state === 'running' ? 1 : 10),
  });
  const finished = search(finishedId, 'succeeded', generations, { control: 'best-of-n', budgetUsd: 2 });
  const running = search(runningId, 'running', 0, { budgetGpuHours: 1 });
  await store.searches.put(finished);
  await store.searches.put(running);
  await store.llmCalls.put({ ...makeLlmCall(`call_${prefix}_1`, 0.42), searchId: finishedId });
  await store.llmCalls.put({ ...makeLlmCall(`call_${prefix}_2`, 0.05), searchId: runningId });
  return {
    finished,
    running,
    bestIdeaId: best.ideaId,
    bestExperimentId: experimentIdFor(best.ideaId, 'candidate'),
    hostileExperimentId: experimentIdFor(`idea_${prefix}_g0_1`, 'candidate'),
    runningExperimentId: experimentIdFor(`idea_${prefix}_live_1`, 'candidate'),
    queuedExperimentId: experimentIdFor(`idea_${prefix}_live_2`, 'candidate'),
  };
}
