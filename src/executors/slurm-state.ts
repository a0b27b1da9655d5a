// Reads Slurm's answers (squeue, sacct, scontrol, the jobcomp file) as a job's state and, once it ended, its exit.
import { constants } from 'node:os';

/** What one Slurm command says about a job: still holding (or waiting for) its allocation, or ended. */
export type SlurmReport =
  | { phase: 'active'; state: string; elapsedSec: number | undefined }
  | { phase: 'ended'; state: string; exitCode: string; elapsedSec: number | undefined };

export type SlurmOutcome =
  | {
      kind: 'exit';
      exitCode: number | null;
      signal: string | null;
      timedOut: boolean;
      cancelled: boolean;
      oomKilled: boolean;
    }
  | { kind: 'lost'; reason: string };

const ENDED = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'BOOT_FAIL',
  'DEADLINE',
  'PREEMPTED',
  'REVOKED',
]);

/** Ended states in which the cluster, not the job, is at fault. */
const LOST: Record<string, string> = {
  NODE_FAIL: 'its node failed',
  BOOT_FAIL: 'its node failed to boot',
  PREEMPTED: 'a higher-priority job preempted it',
  REVOKED: 'another cluster of the federation took it',
};

/** `CANCELLED by 0` (sacct) and `CANCELLED+` (narrow columns) both mean CANCELLED. */
export function normalizeState(raw: string): string {
  return (raw.trim().split(/\s+/)[0] ?? '').replace(/\+$/, '').toUpperCase();
}

/** `[days-][hours:]minutes:seconds` (squeue %M, scontrol RunTime) in seconds; undefined when not a duration. */
export function parseDuration(text: string | undefined): number | undefined {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
}

function report(state: string, exitCode: string | undefined, elapsedSec: number | undefined): SlurmReport | undefined {
  if (!state) return undefined;
  if (!ENDED.has(state)) return { phase: 'active', state, elapsedSec };
  return { phase: 'ended', state, exitCode: exitCode ?? '0:0', elapsedSec };
}

/** `squeue -h -j ID -o '%T|%M|%j'`: nothing once the job has left the queue. */
export function parseSqueue(stdout: string, jobName: string): SlurmReport | undefined {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (!line) return undefined;
  const [state = '', elapsed, ...name] = line.trim().split('|');
  if (name.join('|') !== jobName) return undefined;
  return report(normalizeState(state), undefined, parseDuration(elapsed));
}

/** `sacct -X -n -P -j ID --format=State,ExitCode,ElapsedRaw,JobName`: the latest record of the job. */
export function parseSacct(stdout: string, jobName: string): SlurmReport | undefined {
  const records = stdout
    .split('\n')
    .map((line) => line.trim().split('|'))
    .filter(([state, exitCode, , ...name]) => state && exitCode && name.join('|') === jobName);
  const last = records.at(-1);
  if (!last) return undefined;
  const [state = '', exitCode, elapsed] = last;
  const elapsedSec = elapsed && /^\d+$/.test(elapsed) ? Number(elapsed) : undefined;
  return report(normalizeState(state), exitCode, elapsedSec);
}

/** `Key=Value Key=Value …` on one line (scontrol -o, jobcomp/filetxt); values may hold spaces. */
export function parseKeyValues(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of line.trim().split(/ (?=[A-Za-z][\w/:]*=)/)) {
    const equals = part.indexOf('=');
    if (equals > 0) fields[part.slice(0, equals)] = part.slice(equals + 1).trim();
  }
  return fields;
}

/** `scontrol show job -o ID`: slurmctld keeps ended jobs for MinJobAge seconds (300 by default). */
export function parseScontrol(stdout: string, jobName: string): SlurmReport | undefined {
  const fields = parseKeyValues(stdout.split('\n')[0] ?? '');
  if (fields.JobName !== jobName) return undefined;
  return report(normalizeState(fields.JobState ?? ''), fields.ExitCode, parseDuration(fields.RunTime));
}

/** The jobcomp/filetxt log: one line per ended job. */
export function parseJobcomp(text: string, slurmJobId: string, jobName: string): SlurmReport | undefined {
  const line = text
    .split('\n')
    .filter((l) => l.startsWith(`JobId=${slurmJobId} `))
    .map(parseKeyValues)
    .filter((fields) => fields.Name === jobName)
    .at(-1);
  if (!line) return undefined;
  const started = Date.parse(line.StartTime ?? '');
  const ended = Date.parse(line.EndTime ?? '');
  const elapsedSec = Number.isFinite(started) && Number.isFinite(ended) ? (ended - started) / 1000 : undefined;
  return report(normalizeState(line.JobState ?? ''), line.ExitCode, elapsedSec);
}

function signalName(signal: number): string {
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return entry ? entry[0] : `signal ${signal}`;
}

/**
 * An ended job's outcome. Slurm's ExitCode is `status:signal`: `3:0` exited with 3, `0:9` was killed by SIGKILL.
 * A job stopped before it ran (`0:0` in CANCELLED or TIMEOUT) has neither an exit code nor a signal.
 */
export function outcomeOf(state: string, exitCode: string): SlurmOutcome {
  const lost = LOST[state];
  if (lost) return { kind: 'lost', reason: `Slurm reports the job as ${state}: ${lost}` };
  const [status = 0, signal = 0] = exitCode.split(':').map((part) => Number.parseInt(part, 10) || 0);
  const stopped = state === 'CANCELLED' || state === 'TIMEOUT' || state === 'DEADLINE';
  const oomKilled = state === 'OUT_OF_MEMORY';
  const killedBy = signal > 0 && signal < 64 ? signalName(signal) : oomKilled ? 'SIGKILL' : null;
  return {
    kind: 'exit',
    exitCode: killedBy || ((stopped || oomKilled) && status === 0) ? null : status,
    signal: killedBy,
    timedOut: state === 'TIMEOUT' || state === 'DEADLINE',
    cancelled: state === 'CANCELLED',
    oomKilled,
  };
}
