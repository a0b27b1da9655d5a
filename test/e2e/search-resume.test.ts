// Searches survive their process: a foreground `search start` killed with SIGKILL mid-search on tiny-lm smoke and
// then `search resume`d runs every candidate exactly once; a `serve` killed and restarted resumes its search itself.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { processesMatching } from '../helpers/processes.js';
import { CLI, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { FIXTURE_ENVIRONMENTS, hasTorch } from '../helpers/test-server.js';

interface StatusJson {
  id: string;
  state: string;
  experiments: { id: string; idea_id: string; role: string; state: string }[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function statusOf(id: string, env: NodeJS.ProcessEnv): Promise<StatusJson> {
  const result = await runCli(['search', 'status', id, '--json'], { env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StatusJson;
}

/** One candidate experiment per idea, every experiment ended. */
function expectExactlyOnce(status: StatusJson): void {
  const candidates = status.experiments.filter((e) => e.role === 'candidate');
  const ideas = candidates.map((e) => e.idea_id);
  expect(new Set(ideas).size).toBe(ideas.length);
  expect(new Set(status.experiments.map((e) => e.id)).size).toBe(status.experiments.length);
  for (const e of status.experiments) expect(['succeeded', 'failed', 'cancelled']).toContain(e.state);
}

const sorted = (value: unknown): string[] => Object.keys(value as object).sort();

/** The `--json` contracts of `search list|status|report` (issue 12), key for key. */
async function expectContracts(id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const list = JSON.parse((await runCli(['search', 'list', '--json'], { env })).stdout) as unknown[];
  expect(sorted(list[0])).toEqual(['created_at', 'environment', 'id', 'state', 'strategy']);
  const status = JSON.parse((await runCli(['search', 'status', id, '--json'], { env })).stdout) as StatusJson & {
    counts: object;
  };
  expect(sorted(status)).toEqual(['counts', 'environment', 'experiments', 'generation', 'id', 'state', 'strategy']);
  expect(sorted(status.counts)).toEqual(
    ['experiments', 'failed', 'ideas', 'rejected_duplicates', 'reused_results', 'succeeded'].sort(),
  );
  expect(sorted(status.experiments[0])).toEqual(['id', 'idea_id', 'metric', 'reward', 'role', 'state']);
  const report = JSON.parse((await runCli(['search', 'report', id, '--json'], { env })).stdout) as Record<
    string,
    unknown
  >;
  expect(sorted(report)).toEqual(
    ['baseline', 'best', 'control', 'cost', 'generations', 'id', 'lift', 'lineage', 'state'].sort(),
  );
  expect(sorted(report.baseline)).toEqual(['runs', 'std', 'value']);
  expect(sorted(report.best)).toEqual(
    ['certified', 'idea_id', 'improvement_sigma', 'metric_mean', 'metric_std', 'seeds', 'title'].sort(),
  );
  expect(sorted((report.generations as unknown[])[0])).toEqual(
    ['best_reward', 'execution_rate', 'generation', 'mean_reward'].sort(),
  );
  expect(sorted(report.cost)).toEqual(['gpu_hours', 'usd']);
  expect(sorted((report.lineage as unknown[])[0])).toEqual(['idea_id', 'parent_ids']);
  const markdown = await runCli(['search', 'report', id], { env });
  expect(markdown.stdout).toMatch(/^# Search /);
}

/** Spawns the CLI; resolves with the child once `ready` matches its stderr. */
function spawnUntil(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs: number) {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const matched = new Promise<RegExpExecArray>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${String(ready)} in time:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => fail(new Error(`exited early (${code}):\n${output}`)));
  });
  return { child, matched, output: () => output };
}

async function killHard(child: ReturnType<typeof spawn>): Promise<void> {
  child.removeAllListeners('exit');
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

describe.skipIf(!hasTorch)('a foreground search killed with SIGKILL', () => {
  it('resumes with `search resume` and runs every candidate exactly once', { timeout: 600_000 }, async () => {
    const home = await tempDir();
    const env = { PATH: process.env.PATH, GROUNDWORK_HOME: home };
    const started = spawnUntil(
      [
        'search',
        'start',
        '--environment',
        'tiny-lm',
        '--profile',
        'smoke',
        '--epochs',
        '2',
        '--batch-size',
        '2',
        '--certify-seeds',
        '0',
      ],
      env,
      /candidate (exp_\S+) succeeded[\s\S]*search (search_\S+) running|search (search_\S+) running[\s\S]*candidate (exp_\S+) succeeded/,
      300_000,
    );
    const match = await started.matched;
    const searchId = (match[2] ?? match[3]) as string;
    const finishedFirst = (match[1] ?? match[4]) as string;
    await killHard(started.child);

    // Read from a second process: the store still says running (nobody has opened it since).
    const before = await statusOf(searchId, env);
    expect(before.state).toBe('running');
    const finished = before.experiments.filter((e) => e.state === 'succeeded').map((e) => e.id);
    expect(finished).toContain(finishedFirst);
    const logOf = (id: string): string => join(home, 'runs', id, 'seed-0', 'train.log');
    const mtimes = new Map<string, number>();
    for (const id of finished) mtimes.set(id, (await stat(logOf(id))).mtimeMs);

    const resumed = await runCli(['search', 'resume', searchId], { env, timeoutMs: 400_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await statusOf(searchId, env);
    expect(after.state).toBe('succeeded');
    expectExactlyOnce(after);
    // Experiments finished before the kill are kept, not run again: same ids, run folders untouched.
    for (const id of finished) {
      expect(after.experiments.find((e) => e.id === id)?.state).toBe('succeeded');
      expect((await stat(logOf(id))).mtimeMs).toBe(mtimes.get(id));
    }
    expect(processesMatching(home)).toEqual([]);
    await expectContracts(searchId, env); // read from the store, no daemon
  });
});

describe('a daemon restarted while its search runs', () => {
  it('resumes the search by itself and runs every candidate once', { timeout: 300_000 }, async () => {
    const home = await tempDir();
    const env = { PATH: process.env.PATH, GROUNDWORK_HOME: home, GROUNDWORK_ENVIRONMENTS: FIXTURE_ENVIRONMENTS };
    const serve = (): ReturnType<typeof spawnUntil> =>
      spawnUntil(['serve', '--port', '0'], env, /groundwork serving/, 90_000);
    const first = serve();
    await first.matched;
    try {
      const start = await runCli(
        [
          'search',
          'start',
          '--environment',
          'toy',
          '--profile',
          'slow',
          '--epochs',
          '1',
          '--batch-size',
          '2',
          '--certify-seeds',
          '0',
          '--detach',
          '--json',
        ],
        { env },
      );
      expect(start.code, start.stderr).toBe(0);
      const { id } = JSON.parse(start.stdout) as { id: string };
      for (let i = 0; ; i++) {
        const status = await statusOf(id, env);
        if (status.experiments.some((e) => e.state === 'running')) break;
        expect(i, JSON.stringify(status)).toBeLessThan(120);
        await sleep(1000);
      }
    } finally {
      await killHard(first.child);
    }
    const [search] = JSON.parse((await runCli(['search', 'list', '--json'], { env })).stdout) as { id: string }[];
    const second = serve();
    await second.matched;
    try {
      let status = await statusOf(search?.id as string, env);
      for (let i = 0; ['running', 'paused'].includes(status.state); i++) {
        expect(i, JSON.stringify(status)).toBeLessThan(180);
        await sleep(1000);
        status = await statusOf(status.id, env);
      }
      expect(status.state).toBe('succeeded');
      expect(status.experiments.filter((e) => e.role === 'candidate').length).toBeGreaterThan(0);
      expectExactlyOnce(status);
      await expectContracts(status.id, env); // answered by the daemon
    } finally {
      await killHard(second.child);
    }
  });
});
