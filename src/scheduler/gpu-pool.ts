// GPU slots: each job gets device ids of its own; a freed id is available to the next job at once.
import { ResearchError } from '../domain/errors.js';

export interface GpuPool {
  /** Every id the pool hands out, in order. */
  readonly ids: readonly string[];
  /** Ids free right now. */
  free(): number;
  /** Takes `count` free ids (lowest first), or returns undefined when fewer are free. `count` 0 gives `[]`. */
  tryAcquire(count: number): string[] | undefined;
  /** Takes exactly these ids (a job re-attached after a restart keeps the devices it had). */
  claim(ids: readonly string[]): void;
  release(ids: readonly string[]): void;
}

export function createGpuPool(ids: readonly string[]): GpuPool {
  if (new Set(ids).size !== ids.length) {
    throw new ResearchError('config_invalid', `GPU ids must be distinct, got ${ids.join(',')}; fix scheduler.gpus`);
  }
  const busy = new Set<string>();
  return {
    ids,
    free: () => ids.length - busy.size,
    tryAcquire(count) {
      const available = ids.filter((id) => !busy.has(id));
      if (available.length < count) return undefined;
      const taken = available.slice(0, count);
      for (const id of taken) busy.add(id);
      return taken;
    },
    claim(claimed) {
      for (const id of claimed) if (ids.includes(id)) busy.add(id);
    },
    release(released) {
      for (const id of released) busy.delete(id);
    },
  };
}
