// The paper's implementer loop: N sample chains in parallel, each revised up to R times on the exact error;
// the first chain whose edit passes wins and the others are aborted. Every answer that came back is kept.
import { type ErrorCode, errorMessage, ResearchError } from '../domain/errors.js';
import type { EditAttempt } from '../domain/records.js';
import type { WrittenEdit } from './implementer.js';

/**
 * An attempt as it came back: the stored `EditAttempt` with its chain, revision and outcome always set, and
 * its text (stored later, at `rawPath`) and error code.
 */
export type ChainAttempt = Omit<EditAttempt, 'rawPath'> &
  Required<Pick<EditAttempt, 'chain' | 'revision' | 'outcome'>> & { text?: string; errorCode?: ErrorCode };

export const TRUNCATED_NOTE =
  'Your answer was cut off at the output token limit. Send only the changed lines, as SEARCH/REPLACE blocks, not whole files.';

export interface ChainOptions<T> {
  /** Parallel chains (the paper's N). */
  samples: number;
  /** Revisions per chain after its first answer (the paper's R). */
  revisions: number;
  signal?: AbortSignal;
  /** One answer, given the chain's earlier answers and their errors (oldest first). */
  write(history: { edit: string; error: string }[], signal: AbortSignal, chain: number): Promise<WrittenEdit>;
  /** Applies and pre-flights an answer; throws a ResearchError that `isFeedback` accepts when it is refused. */
  check(text: string): Promise<T>;
  /** Errors worth showing the model in a revision (apply and pre-flight errors); others end the whole run. */
  isFeedback(error: unknown): error is ResearchError;
}

export interface ChainOutcome<T> {
  /** In the order they came back. */
  attempts: ChainAttempt[];
  winner?: { attempt: ChainAttempt; checked: T };
  /** The last refusal, when no chain passed. */
  lastRefusal?: ResearchError;
  /** The last failed call, when no chain passed. */
  lastApiError?: ResearchError;
}

export async function runSampleChains<T>(options: ChainOptions<T>): Promise<ChainOutcome<T>> {
  const outer = options.signal;
  outer?.throwIfAborted();
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  outer?.addEventListener('abort', stop, { once: true });
  const outcome: ChainOutcome<T> = { attempts: [] };

  const runChain = async (chain: number): Promise<void> => {
    const history: { edit: string; error: string }[] = [];
    for (let revision = 0; revision <= options.revisions && !controller.signal.aborted; revision++) {
      let written: WrittenEdit;
      try {
        written = await options.write(history, controller.signal, chain);
      } catch (error) {
        if (controller.signal.aborted) return; // another chain won, or the caller gave up: not an attempt
        if (!ResearchError.is(error, 'llm_api')) throw error;
        outcome.attempts.push({ chain, revision, error: error.message, errorCode: error.code, outcome: 'api_error' });
        outcome.lastApiError = error;
        return;
      }
      const attempt: ChainAttempt = {
        chain,
        revision,
        text: written.text,
        ...(written.model ? { model: written.model } : {}),
        ...(written.callId ? { callId: written.callId } : {}),
        outcome: 'abandoned',
      };
      if (outcome.winner) {
        outcome.attempts.push(attempt);
        return;
      }
      try {
        const checked = await options.check(written.text);
        outcome.attempts.push(attempt);
        if (outcome.winner) return;
        attempt.outcome = 'passed';
        outcome.winner = { attempt, checked };
        controller.abort();
        return;
      } catch (error) {
        if (!options.isFeedback(error)) throw error;
        const message = written.truncated ? `${error.message}\n${TRUNCATED_NOTE}` : error.message;
        Object.assign(attempt, { outcome: 'failed', error: message, errorCode: error.code });
        outcome.attempts.push(attempt);
        outcome.lastRefusal = error;
        history.push({ edit: written.text, error: message });
      }
    }
  };

  try {
    const chains = Array.from({ length: options.samples }, (_, chain) =>
      runChain(chain).catch((error: unknown) => {
        controller.abort();
        throw error;
      }),
    );
    const settled = await Promise.allSettled(chains);
    if (outer?.aborted && !outcome.winner) throw new ResearchError('cancelled', 'implementation cancelled');
    const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) {
      throw ResearchError.is(failure.reason)
        ? failure.reason
        : new ResearchError('internal', `implementer failed: ${errorMessage(failure.reason)}`, {
            cause: failure.reason,
          });
    }
    return outcome;
  } finally {
    outer?.removeEventListener('abort', stop);
  }
}
