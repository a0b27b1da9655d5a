// A tool's bounded wait: at most so many seconds, ended early by the call's abort, with progress notifications.
import type { ToolContext } from './define-tool.js';

const HEARTBEAT_MS = 5_000;

export interface WaitOptions {
  /** Give up after this long. */
  seconds: number;
  /** The progress message, given the seconds waited so far. */
  describe(elapsedSeconds: number): string;
  /** Calls `changed` when there is news worth a progress notification; returns the unsubscribe function. */
  watch?(changed: () => void): () => void;
}

/**
 * Waits for `work`, sending a progress notification at once, on every change and every few seconds (the progress
 * is the seconds waited, of `seconds` in all). Resolves with `work`'s value, or undefined when the time is up or
 * the call was aborted first.
 */
export async function waitWithProgress<T>(
  { signal, progress }: Pick<ToolContext, 'signal' | 'progress'>,
  work: Promise<T>,
  options: WaitOptions,
): Promise<T | undefined> {
  const started = Date.now();
  let last = -1;
  const report = (): void => {
    const elapsed = (Date.now() - started) / 1000;
    // Progress must increase with every notification.
    last = Number(Math.max(last + 0.001, elapsed).toFixed(3));
    void progress(last, options.seconds, options.describe(elapsed));
  };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  // Race the abort too: a signal aborted before the work starts listening would not end it.
  const given = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, options.seconds * 1000, undefined);
    onAbort = () => resolve(undefined);
    if (signal.aborted) resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const unwatch = options.watch?.(report);
  const heartbeat = setInterval(report, HEARTBEAT_MS);
  report();
  try {
    return await Promise.race([work, given]);
  } finally {
    unwatch?.();
    clearInterval(heartbeat);
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
