// Runs test/fixtures/store/open-store.ts in a child process (optionally as another user) for lock tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'store', 'open-store.ts');

export interface FixtureResult {
  ok: boolean;
  pid: number;
  code?: string;
  message?: string;
}

export interface FixtureRun {
  child: ChildProcess;
  /** The fixture's one-line report, as soon as it is printed. */
  result: Promise<FixtureResult>;
  /** Resolves when the child has exited. */
  exited: Promise<number | null>;
}

export function runFixture(
  dataDir: string,
  mode: 'store' | 'lock',
  holdMs = 0,
  user?: { uid: number; gid: number },
): FixtureRun {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, mode, String(holdMs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
    ...(user ?? {}),
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const result = new Promise<FixtureResult>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve(JSON.parse(line) as FixtureResult);
    });
    void exited.then((code) => reject(new Error(`fixture exited (${code}) without a report: ${stderr}`)));
  });
  return { child, result, exited };
}
