// What a data directory's lock file says about its holder, and whether that holder still runs.
import { hostname } from 'node:os';

import { z } from 'zod';

import { ResearchError } from '../domain/errors.js';
import { errnoCode } from './fs-errors.js';

const ownerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.string(),
  command: z.string(),
  token: z.string().optional(),
});

export type LockOwner = z.infer<typeof ownerSchema>;

/** The owner recorded in a lock file's text, or undefined when the text is not a lock. */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const result = ownerSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `owner` may still be using the directory. A lock from another host counts as live (we cannot
 * tell); one carrying our own pid is live only if this process holds it (an earlier process that had
 * our pid, e.g. pid 1 in a restarted container, left it otherwise).
 */
export function isOwnerAlive(owner: LockOwner, heldHere: (token: string | undefined) => boolean): boolean {
  if (owner.hostname !== hostname()) return true;
  if (owner.pid === process.pid) return heldHere(owner.token);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== 'ESRCH';
  }
}

/** `store_locked`, naming the holder and what to do. */
export function lockedError(dir: string, lockFile: string, owner: LockOwner): ResearchError {
  const foreign = owner.hostname !== hostname();
  const where = foreign ? ` on host ${owner.hostname}` : '';
  const stale = foreign ? ` If that process no longer runs, delete ${lockFile}.` : '';
  return new ResearchError(
    'store_locked',
    `data directory ${dir} is in use by process ${owner.pid}${where} (${owner.command}, since ${owner.startedAt}). ` +
      `Stop it, or set GROUNDWORK_HOME to another directory.${stale}`,
    { details: { dir, lockFile, pid: owner.pid, hostname: owner.hostname } },
  );
}
