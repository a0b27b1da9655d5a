// --preset autoresearch on a CPU-sized look-alike: results.tsv as history, val_bpb from the log (self_reported), export.
import { access, constants, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { git, makeAutoresearchRepo, PYTHON, RESULTS_TSV, snapshot } from '../helpers/byo-repos.js';
import { tempDirFor } from '../helpers/byo-temp.js';
import { callTool, connectInMemory } from '../helpers/mcp-client.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestServer, hasTorch } from '../helpers/test-server.js';

/** PATH without a `uv`, so the preset picks the project's Python here whatever this machine has. */
async function pathWithoutUv(): Promise<string> {
  const dirs: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (
      !(await access(join(dir, 'uv'), constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      dirs.push(dir);
  }
  return dirs.join(delimiter);
}

describe.skipIf(!hasTorch)('bring your own training code: --preset autoresearch', () => {
  let repo: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let before: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    const root = await tempDirFor('groundwork-byo-ar-');
    repo = join(root, 'autoresearch');
    home = join(root, 'gw');
    const userHome = join(root, 'user');
    await makeAutoresearchRepo(repo, userHome);
    env = { GROUNDWORK_HOME: home, GROUNDWORK_PYTHON: PYTHON, HOME: userHome, PATH: await pathWithoutUv() };
    before = await snapshot(repo);
  });

  it('env init --preset autoresearch sets train.py editable, prepare.py frozen, val_bpb from the log, and imports results.tsv', async () => {
    const init = await cli(
      'env',
      'init',
      repo,
      '--preset',
      'autoresearch',
      '--gpus',
      '0',
      '--import-results',
      'results.tsv',
      '--json',
    );
    expect(init.code, init.stderr).toBe(0);
    const created = JSON.parse(init.stdout) as { manifest: Record<string, unknown>; imported: number };
    expect(created.imported).toBe(3);
    expect(created.manifest).toMatchObject({
      name: 'autoresearch',
      editable: ['train.py'],
      command: ['{python}', 'train.py'],
      evaluate: ['{python}', '{harness}/log_metric.py'],
      metric: { name: 'val_bpb', direction: 'min', selfReported: true },
      resources: { gpus: 0, timeLimitSec: 5 + 300 },
      setup: { modules: ['torch'] },
      source: { preset: 'autoresearch', metricFrom: 'log', data: [{ at: 'home', path: '.cache/autoresearch' }] },
    });
    expect(created.manifest.frozen).toEqual(expect.arrayContaining(['prepare.py', 'program.md', 'environment.json']));
  });

  it('measures the baseline, runs an edit, and exports it as a branch', async () => {
    const baseline = await cli('env', 'baseline', 'autoresearch', '--seeds', '0,1');
    expect(baseline.code, baseline.stderr).toBe(0);
    expect(baseline.stdout).toMatch(
      /baseline val_bpb \d\.\d+ ± \d\.\d+ over 2 run\(s\) \(profile default\) \[self_reported\]/,
    );
    await writeFile(
      join(repo, '..', 'lr.txt'),
      'train.py\n<<<<<<< SEARCH\nLEARNING_RATE = 0.01\n=======\nLEARNING_RATE = 0.1\n>>>>>>> REPLACE\n',
    );
    const run = await cli(
      'run',
      'autoresearch',
      '--edit',
      join(repo, '..', 'lr.txt'),
      '--idea',
      'Raise the learning rate tenfold',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      state: 'succeeded',
      metric: { name: 'val_bpb', self_reported: true },
      baseline: { runs: 2, improved: true, beyond_noise: true },
      failure: null,
    });
    expect(await snapshot(repo)).toEqual(before);

    const exported = await cli('export', report.experiment_id, '--git', repo, '--branch', 'autoresearch/lr');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/Your working tree and current branch are unchanged/);
    const diff = git(repo, 'diff', 'master', 'autoresearch/lr');
    expect(diff).toMatch(/^-LEARNING_RATE = 0\.01\n\+LEARNING_RATE = 0\.1$/m);
    expect(diff.match(/^[-+][^-+]/gm)).toHaveLength(2);
    const message = git(repo, 'log', '-1', '--format=%B', 'autoresearch/lr');
    expect(message).toMatch(/^Raise the learning rate tenfold/);
    expect(message).toMatch(new RegExp(`Experiment: ${report.experiment_id}`));
    expect(message).toMatch(
      /val_bpb [\d.]+ over seed\(s\) 0 .*\nbaseline [\d.]+ ± [\d.]+: -[\d.]+, better, beyond noise/,
    );
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('master');
    expect(await readFile(join(repo, 'results.tsv'), 'utf8')).toBe(RESULTS_TSV);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('shows imported history and self_reported results to MCP clients', async () => {
    const server = await createTestServer({ home, config: { python: [PYTHON] } });
    const { client, close } = await connectInMemory(server);
    try {
      const board = await callTool(client, 'get_leaderboard', { environment: 'autoresearch', top: 50 });
      const titles = (board.data.rows as { title: string }[]).map((row) => row.title);
      expect(titles).toEqual(expect.arrayContaining(['[results.tsv] raise LEARNING_RATE to 0.02']));
      expect(board.text).toMatch(/\[self_reported\]/);
      const ran = (board.data.rows as { experiment_id: string; title: string }[]).find((row) =>
        row.title.startsWith('Raise'),
      );
      const reward = await callTool(client, 'get_reward', { experiment_id: ran?.experiment_id });
      expect(reward.data.metric).toMatchObject({ name: 'val_bpb', self_reported: true });
      expect(reward.text).toMatch(/self_reported/);
      const environments = await callTool(client, 'list_environments', {});
      expect(JSON.stringify(environments.data)).toMatch(/"name":"autoresearch"/);
    } finally {
      await close();
      await server.close();
    }
  });
});
