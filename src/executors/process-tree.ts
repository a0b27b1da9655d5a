// The processes below a pid (from /proc), and killing them all and waiting until they are gone: a job's
// sandbox (a PID namespace) is torn down by the kernel asynchronously after its launcher dies.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcessEntry {
  pid: number;
  startTicks: string;
}

function statOf(pid: number): { ppid: number; startTicks: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (not `root` itself), with its start time so a reused pid is never killed. */
export function descendants(root: number): ProcessEntry[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  const children = new Map<number, ProcessEntry[]>();
  for (const pid of pids) {
    const stat = statOf(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid, startTicks: stat.startTicks });
    children.set(stat.ppid, list);
  }
  const found: ProcessEntry[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

const alive = (entry: ProcessEntry): boolean => statOf(entry.pid)?.startTicks === entry.startTicks;

/** SIGKILLs each process still alive and waits (up to `timeoutMs`) until all are gone. */
export async function killAndWait(entries: readonly ProcessEntry[], timeoutMs = 5000): Promise<void> {
  for (const entry of entries) {
    if (!alive(entry)) continue;
    try {
      process.kill(entry.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (entries.some(alive) && Date.now() < deadline) await sleep(20);
}
