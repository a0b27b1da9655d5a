// The last lines of a log file, for failure records.
import { open } from 'node:fs/promises';

export async function readLogTail(path: string, maxBytes = 4000, maxLines = 40): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (size > length) lines.shift(); // first line is probably cut
    return lines.slice(-maxLines).join('\n').trimEnd();
  } finally {
    await handle.close();
  }
}

/** Failure category for a process that exited badly, from its exit and its log. */
export function classifyExit(
  exit: { exitCode: number | null; signal: string | null; oomKilled: boolean },
  logTail: string,
  detectsOom = false,
): 'oom' | 'crashed' {
  if (exit.oomKilled) return 'oom';
  if (/out of memory|MemoryError|OutOfMemoryError|std::bad_alloc|Killed\s*$/i.test(logTail)) return 'oom';
  // Without an OOM record, a SIGKILL is most likely the kernel's OOM killer; with one, it came from outside.
  if (!detectsOom && (exit.signal === 'SIGKILL' || exit.exitCode === 137)) return 'oom';
  return 'crashed';
}
