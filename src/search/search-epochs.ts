// Epochs mode: the strategy's own synchronous loop over a SearchContext; on a resume, proposals are served from the
// ideas the search already stored (same epoch and kind) and evaluations from the experiments it already ran.
import { errorMessage, ResearchError } from '../domain/errors.js';
import type { Idea } from '../domain/records.js';
import type { Random } from '../util/random.js';
import type { Evaluation, SearchContext } from './search-context.js';
import { certify, type Drive, evaluateIdea, takeStored } from './search-drive.js';
import { proposeFor } from './search-propose.js';

export function epochsContext(drive: Drive, random: Random): SearchContext {
  const all: Evaluation[] = [];
  const evaluateSafely = (idea: Idea, role: 'candidate' | 'control'): Promise<Evaluation> =>
    evaluateIdea(drive, idea, role).catch((error: unknown): Evaluation => {
      if (drive.signal.aborted) throw error;
      return { idea, failure: { category: 'infrastructure', message: errorMessage(error) } };
    });
  return {
    searchId: drive.search.id,
    environment: {
      name: drive.search.environment,
      metric: drive.metric,
      baseline: drive.baselineReward,
    },
    random,
    signal: drive.signal,
    log: drive.log,
    async propose(request) {
      const stored = takeStored(
        drive.storedCandidates,
        request.count,
        (idea) => idea.epoch === request.epoch && idea.origin.kind === request.kind,
      );
      // The ideator ran out of new ideas (only duplicates): no more are asked for.
      if (drive.search.stopped?.reason === 'ideas_exhausted') return stored;
      let wanted = Math.min(request.count - stored.length, drive.budgets.ideasLeft(drive.candidateIdeas));
      if (wanted > 0 || stored.length === 0) {
        const spent = await drive.budgets.spent(drive.candidateIdeas);
        if (spent && stored.length === 0) {
          drive.search.stopped ??= { reason: 'budget_exhausted', message: spent.message, budget: spent.budget };
          throw new ResearchError('budget_exhausted', spent.message);
        }
        if (spent) wanted = 0;
      }
      const fresh =
        wanted > 0 ? await proposeFor(drive, { ...request, count: wanted, salt: all.length + request.epoch }) : [];
      return [...stored, ...fresh];
    },
    async evaluate(ideas, epoch) {
      let control: Idea[] = [];
      if (drive.runner.control) {
        control = takeStored(drive.storedControl, ideas.length, () => true);
        if (control.length < ideas.length) {
          control.push(
            ...(await proposeFor(drive, {
              kind: 'seed',
              count: ideas.length - control.length,
              epoch,
              arm: 'control',
              salt: all.length,
            })),
          );
        }
      }
      const [evaluations, controls] = await Promise.all([
        Promise.all(
          ideas.map(async (idea) => {
            const evaluation = await evaluateSafely(idea, 'candidate');
            await certify(drive, evaluation);
            return evaluation;
          }),
        ),
        Promise.all(control.map((idea) => evaluateSafely(idea, 'control'))),
      ]);
      drive.control.push(...controls);
      drive.population.push(...evaluations);
      all.push(...evaluations);
      return evaluations;
    },
    population: () => drive.population,
    async setEpoch(epoch) {
      drive.search.epoch = epoch;
      drive.search.generation = epoch;
      await drive.save();
    },
  };
}
