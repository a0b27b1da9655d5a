// Find live processes by a string in their command line, reading /proc directly (no pgrep needed).
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of running (not zombie) processes whose command line contains `text`. */
export function processesMatching(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline.includes(text) && !/^\d+ \(.*\) [ZX]/.test(stat)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
