// Result reuse: an edit whose canonical diff already ran (same environment and profile, succeeded) is not run again.
import type { Experiment } from '../domain/records.js';
import { implementationDiffHash } from '../services/implementations.js';
import type { Store } from '../store/store.js';

export interface ReuseQuery {
  environment: string;
  profile: string;
  /** sha256 of the canonical diff (`Implementation.diffHash`, `diffHashOf` in services/implementations.ts). */
  diffHash: string;
  /** The implementation asking, never matched with itself. */
  implementationId?: string;
  /**
   * The data directory: given, implementations stored before `diffHash` existed are matched by hashing their diff
   * artifact; without it they are skipped.
   */
  home?: string;
}

/**
 * The succeeded experiment of an equal edit, with the most seeds (then the latest), or undefined. Only experiments
 * with a result count: a failed or running one is no result to reuse.
 */
export async function findReusableExperiment(
  store: Pick<Store, 'implementations' | 'experiments'>,
  query: ReuseQuery,
): Promise<Experiment | undefined> {
  const candidates = await store.implementations.list(
    (implementation) =>
      implementation.environment === query.environment &&
      implementation.status === 'ready' &&
      implementation.id !== query.implementationId &&
      (implementation.diffHash === query.diffHash ||
        (implementation.diffHash === undefined && query.home !== undefined)),
  );
  const matching = new Set<string>();
  for (const implementation of candidates) {
    const hash = query.home ? await implementationDiffHash(query.home, implementation) : implementation.diffHash;
    if (hash === query.diffHash) matching.add(implementation.id);
  }
  if (matching.size === 0) return undefined;
  const experiments = await store.experiments.list(
    (experiment) =>
      matching.has(experiment.implementationId) &&
      experiment.profile === query.profile &&
      experiment.state === 'succeeded' &&
      experiment.result !== undefined,
  );
  return experiments.sort(
    (a, b) =>
      (b.result?.metric.seeds ?? b.runs.length) - (a.result?.metric.seeds ?? a.runs.length) ||
      b.updatedAt.localeCompare(a.updatedAt),
  )[0];
}
