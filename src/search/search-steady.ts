// Steady mode: ideas are proposed and implemented while experiments run, so a free slot finds one waiting; results
// are folded in as they end, and the generation advances every batch_size finished candidates.
import { errorMessage } from '../domain/errors.js';
import type { Idea } from '../domain/records.js';
import type { Evaluation, IdeaPlan, SearchStrategy } from './search-context.js';
import { certify, type Drive, evaluateIdea } from './search-drive.js';
import { proposeFor } from './search-propose.js';
import type { Random } from '../util/random.js';

type Work = { role: 'candidate'; plan?: IdeaPlan; idea?: Idea } | { role: 'control'; idea?: Idea };

/**
 * Pipelines in flight: one per slot, plus enough being prepared (proposed, implemented) that a slot that frees finds
 * an experiment queued. With measured times, the spare ones cover what the slots finish while one idea is prepared
 * (`slots × prepare / run`), with half again as margin; capped at three times the slots.
 */
export function pipelineWidth(slots: number, timing?: { prepareMs: number; runMs: number }): number {
  const fallback = Math.max(2, Math.ceil(slots / 2));
  if (!timing || timing.runMs <= 0) return slots + fallback;
  const spare = Math.ceil(1.5 * slots * (timing.prepareMs / timing.runMs)) + 1;
  return slots + Math.min(2 * slots, Math.max(fallback, spare));
}

/** Running means of how long an idea takes to prepare (until its experiment is queued) and its experiment to run. */
function createTiming(): {
  add(pipelineStart: number, experiment: { createdAt: string; runs: { startedAt?: string; endedAt?: string }[] }): void;
  current(): { prepareMs: number; runMs: number } | undefined;
} {
  let prepare = 0;
  let run = 0;
  let count = 0;
  return {
    add(pipelineStart, experiment) {
      const queued = Date.parse(experiment.createdAt);
      const spans = experiment.runs
        .filter((r) => r.startedAt && r.endedAt)
        .map((r) => Date.parse(r.endedAt as string) - Date.parse(r.startedAt as string));
      if (!(queued >= pipelineStart) || spans.length === 0) return; // resumed, reused, or never ran
      prepare += queued - pipelineStart;
      run += Math.max(...spans);
      count++;
    },
    current: () => (count === 0 ? undefined : { prepareMs: prepare / count, runMs: run / count }),
  };
}

export async function runSteady(
  drive: Drive,
  strategy: SearchStrategy,
  options: unknown,
  random: Random,
  slots: number,
): Promise<void> {
  const size = strategy.size?.(options) ?? { total: 8, batchSize: 4 };
  const total = Math.min(size.total, drive.runner.maxIdeas ?? Number.POSITIVE_INFINITY);
  const batchSize = Math.max(1, size.batchSize);
  const timing = createTiming();
  const width = (): number => pipelineWidth(slots, timing.current()) * (drive.runner.control ? 2 : 1);
  const resumeQueue: Work[] = [
    ...drive.storedCandidates.splice(0).map((idea): Work => ({ role: 'candidate', idea })),
    ...drive.storedControl.splice(0).map((idea): Work => ({ role: 'control', idea })),
  ];
  let candidatesLaunched = resumeQueue.filter((work) => work.role === 'candidate').length;
  let controlLaunched = resumeQueue.length - candidatesLaunched;
  let finished = drive.population.length;
  const perGeneration = new Map<number, { planned: number; exploited: number }>();
  const generation = (): number => Math.floor(finished / batchSize);
  const active = new Set<Promise<void>>();
  let failure: unknown;

  const next = async (): Promise<Work | undefined> => {
    const resumed = resumeQueue.shift();
    if (resumed) return resumed;
    if (drive.runner.control && controlLaunched < candidatesLaunched) return { role: 'control' };
    if (drive.search.stopped) return undefined; // the ideator ran out of new ideas
    if (candidatesLaunched >= total) {
      if (total < size.total) {
        const message = `the budget of ${drive.runner.maxIdeas} ideas is used`;
        drive.search.stopped ??= { reason: 'budget_exhausted', message, budget: 'ideas' };
      }
      return undefined;
    }
    const spent = await drive.budgets.spent(candidatesLaunched);
    if (spent) {
      drive.search.stopped ??= { reason: 'budget_exhausted', message: spent.message, budget: spent.budget };
      return undefined;
    }
    const g = generation();
    const counts = perGeneration.get(g) ?? { planned: 0, exploited: 0 };
    const plan = strategy.plan?.(
      { generation: g, population: drive.population, baseline: drive.baselineReward, random, ...counts },
      options,
    ) ?? { kind: g === 0 ? 'seed' : 'explore' };
    perGeneration.set(g, {
      planned: counts.planned + 1,
      exploited: counts.exploited + (plan.kind === 'exploit' ? 1 : 0),
    });
    return { role: 'candidate', plan };
  };

  const pipeline = async (work: Work, index: number): Promise<void> => {
    const began = Date.now();
    const epoch = generation();
    let idea = work.idea;
    if (!idea) {
      const kind = work.role === 'candidate' ? (work.plan?.kind ?? 'seed') : 'seed';
      const parents = work.role === 'candidate' ? work.plan?.parents : undefined;
      [idea] = await proposeFor(drive, {
        kind,
        count: 1,
        epoch,
        salt: index,
        ...(parents && parents.length > 0 ? { parents } : {}),
        ...(work.role === 'control' ? { arm: 'control' as const } : {}),
      });
      if (!idea) return;
    }
    const evaluation: Evaluation = await evaluateIdea(drive, idea, work.role).catch((error: unknown): Evaluation => {
      if (drive.signal.aborted) throw error;
      return { idea: idea as Idea, failure: { category: 'infrastructure' as const, message: errorMessage(error) } };
    });
    if (evaluation.experiment && !work.idea) timing.add(began, evaluation.experiment);
    if (work.role === 'control') {
      drive.control.push(evaluation);
      return;
    }
    await certify(drive, evaluation);
    drive.population.push(evaluation);
    finished++;
    if (generation() !== drive.search.generation) {
      drive.search.generation = generation();
      drive.search.epoch = generation();
      await drive.save();
    }
  };

  let launched = 0;
  while (!drive.signal.aborted && failure === undefined) {
    while (active.size < width() && !drive.signal.aborted) {
      const work = await next();
      if (!work) break;
      if (work.role === 'candidate' && !work.idea) candidatesLaunched++;
      if (work.role === 'control' && !work.idea) controlLaunched++;
      const running: Promise<void> = pipeline(work, launched++).then(
        () => void active.delete(running),
        (error: unknown) => {
          active.delete(running);
          if (!drive.signal.aborted) failure ??= error;
        },
      );
      active.add(running);
    }
    if (active.size === 0) break;
    await Promise.race(active);
  }
  await Promise.all(active);
  if (failure !== undefined) throw failure;
}
