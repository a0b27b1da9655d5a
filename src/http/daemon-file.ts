// `<home>/daemon.json`: how a `groundwork stdio` finds the daemon serving the same data directory.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DaemonInfo {
  /** Base URL; MCP is at `${url}/mcp`. */
  url: string;
  token?: string;
  pid: number;
  home: string;
  startedAt: string;
}

export const daemonFile = (home: string): string => join(home, 'daemon.json');

/** Written atomically and readable only by its owner: it holds the token. */
export async function writeDaemonInfo(info: DaemonInfo): Promise<void> {
  await mkdir(info.home, { recursive: true });
  const temp = `${daemonFile(info.home)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  await rename(temp, daemonFile(info.home));
}

export async function removeDaemonInfo(home: string, pid: number): Promise<void> {
  const current = await readDaemonInfo(home);
  if (current?.pid === pid) await rm(daemonFile(home), { force: true });
}

export async function readDaemonInfo(home: string): Promise<DaemonInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(daemonFile(home), 'utf8')) as Partial<DaemonInfo>;
    if (typeof info.url !== 'string' || typeof info.pid !== 'number' || typeof info.home !== 'string') return undefined;
    return info as DaemonInfo;
  } catch {
    return undefined;
  }
}

/**
 * The daemon for `home` if one is running and answers (with the token it published); otherwise undefined.
 */
export async function findDaemon(home: string, timeoutMs = 2000): Promise<DaemonInfo | undefined> {
  const info = await readDaemonInfo(home);
  if (!info) return undefined;
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  try {
    const response = await fetch(`${info.url}/api/health`, {
      headers: info.token ? { authorization: `Bearer ${info.token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const health = (await response.json()) as { name?: string; home?: string };
    return health.name === 'groundwork' && health.home === info.home ? info : undefined;
  } catch {
    return undefined;
  }
}
