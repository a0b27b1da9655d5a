// Cap the model requests in flight at once (all ideas and samples share one provider), queueing the rest.
import { ResearchError } from '../domain/errors.js';
import type { GenerateOptions, GenerateRequest, GenerateResult, LlmProvider } from './llm-provider.js';

export interface Semaphore {
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** A counting semaphore whose waiters leave the queue when their signal aborts. */
export function createSemaphore(limit: number): Semaphore {
  let active = 0;
  const waiting: { start: () => void; signal?: AbortSignal }[] = [];
  const next = (): void => {
    while (active < limit && waiting.length > 0) {
      const waiter = waiting.shift() as (typeof waiting)[number];
      if (waiter.signal?.aborted) continue;
      active++;
      waiter.start();
    }
  };
  return {
    async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (active >= limit) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void =>
            reject(new ResearchError('cancelled', 'cancelled while waiting for a model slot'));
          const waiter = {
            start: () => {
              signal?.removeEventListener('abort', onAbort);
              resolve();
            },
            signal,
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          waiting.push(waiter);
        });
      } else active++;
      try {
        return await task();
      } finally {
        active--;
        next();
      }
    },
  };
}

/** `provider` whose calls take a slot of `semaphore` (shared, so one limit covers every role). */
export function limited(provider: LlmProvider, semaphore: Semaphore): LlmProvider {
  return {
    name: provider.name,
    ...(provider.model === undefined ? {} : { model: provider.model }),
    generate: (request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> =>
      semaphore.run(() => provider.generate(request, options), options.signal),
  };
}
