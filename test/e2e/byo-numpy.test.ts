// Bring your own training code: a numpy repository through env init, baseline, run, a search and export, untouched.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { readChangedFiles } from '../../src/store/artifacts.js';
import { git, LOG_PATTERN, makeNumpyRepo, NUMPY_TRAIN, PYTHON, snapshot } from '../helpers/byo-repos.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDirFor } from '../helpers/byo-temp.js';
import { createTestServer } from '../helpers/test-server.js';

const EDIT = `--- a/train.py
+++ b/train.py
@@ -6,3 +6,3 @@
 LEARNING_RATE = 0.05  # step size of plain SGD
-STEPS = 20
+STEPS = 300
 BATCH_SIZE = 16
`;

describe('bring your own training code: a numpy repository', () => {
  let root: string;
  let repo: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let before: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    root = await tempDirFor('groundwork-byo-numpy-');
    repo = join(root, 'my-regression');
    home = join(root, 'home');
    await makeNumpyRepo(repo);
    env = { GROUNDWORK_HOME: home, GROUNDWORK_PYTHON: PYTHON };
    before = await snapshot(repo);
  });

  it('env init makes an environment under the data directory from tracked files, data linked not copied', async () => {
    const init = await cli(
      'env',
      'init',
      repo,
      '--metric-from-log',
      LOG_PATTERN,
      '--data',
      'data',
      '--frozen',
      'prepare.py',
      '--time-limit',
      '60',
      '--json',
    );
    expect(init.code, init.stderr).toBe(0);
    const created = JSON.parse(init.stdout) as { name: string; dir: string; manifest: Record<string, unknown> };
    expect(created.name).toBe('my-regression');
    expect(created.dir).toBe(join(home, 'environments', 'my-regression'));
    expect(created.manifest).toMatchObject({
      editable: ['train.py'],
      command: ['{python}', 'train.py'],
      metric: { name: 'val_loss', direction: 'min', selfReported: true },
      resources: { gpus: 0, timeLimitSec: 60 },
      source: { path: repo, git: true, commit: git(repo, 'rev-parse', 'HEAD').trim(), metricFrom: 'log' },
    });
    expect(Object.keys(created.manifest.knobs as object)).toEqual(['learning_rate', 'steps', 'batch_size']);
    expect(existsSync(join(created.dir, 'train.py'))).toBe(true);
    expect(existsSync(join(created.dir, 'scratch-notes.txt'))).toBe(false);
    expect(existsSync(join(created.dir, 'data'))).toBe(false);
    const list = await cli('env', 'list', '--json');
    const names = (JSON.parse(list.stdout) as { environments: { name: string }[] }).environments.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['my-regression', 'tiny-lm']));
  });

  it('env baseline records value, spread and runs in the environment', async () => {
    const result = await cli('env', 'baseline', 'my-regression', '--seeds', '0,1,2', '--json');
    expect(result.code, result.stderr).toBe(0);
    const { baseline } = JSON.parse(result.stdout) as { baseline: { value: number; std: number; runs: number } };
    expect(baseline).toMatchObject({ runs: 3, profile: 'default' });
    expect(baseline.std).toBeGreaterThan(0);
    const manifest = JSON.parse(await readFile(join(home, 'environments/my-regression/environment.json'), 'utf8'));
    expect(manifest.baseline).toMatchObject({ value: baseline.value, std: baseline.std, runs: 3 });
  });

  it('run without an edit, and with one, prints the reward against the baseline, self-reported', async () => {
    const plain = await cli('run', 'my-regression', '--json');
    expect(plain.code, plain.stderr).toBe(0);
    const unchanged = JSON.parse(plain.stdout);
    expect(Object.keys(unchanged)).toEqual(['experiment_id', 'state', 'metric', 'reward', 'baseline', 'failure']);
    expect(unchanged).toMatchObject({
      state: 'succeeded',
      metric: { name: 'val_loss', self_reported: true },
      failure: null,
    });
    await writeFile(join(root, 'more-steps.diff'), EDIT);
    const edited = await cli(
      'run',
      'my-regression',
      '--edit',
      join(root, 'more-steps.diff'),
      '--seeds',
      '0,1',
      '--idea',
      'Train for 300 steps instead of 20',
    );
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toMatch(/val_loss \d\.\d+ ± \d\.\d+ over 2 seeds, reward [\d.]+ {2}\[self_reported/);
    expect(edited.stdout).toMatch(/baseline [\d.]+ ± [\d.]+ \(3 runs\): -[\d.]+, better, beyond noise/);
    await writeFile(
      join(root, 'frozen.diff'),
      'prepare.py\n<<<<<<< SEARCH\nrng = np.random.default_rng(1234)\n=======\nrng = np.random.default_rng(1)\n>>>>>>> REPLACE\n',
    );
    const refused = await cli('run', 'my-regression', '--edit', join(root, 'frozen.diff'), '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      experiment_id: null,
      state: 'failed',
      metric: null,
      failure: { category: 'edit_refused' },
    });
    await writeFile(join(root, 'crash.diff'), EDIT.replace('+STEPS = 300', '+STEPS = undefined_name'));
    const crash = JSON.parse((await cli('run', 'my-regression', '--edit', join(root, 'crash.diff'), '--json')).stdout);
    expect(crash).toMatchObject({ state: 'failed', failure: { category: 'crashed' }, metric: null });
    expect(crash.failure.log_tail).toMatch(/NameError/);
  });

  it('a short search finds a better setting, and export makes a branch of exactly its diff', async () => {
    const server = await createTestServer({ home, config: { python: [PYTHON] } });
    let searchId: string;
    let winner: { id: string; files: { path: string; content: string | null }[] };
    try {
      const board = await server.services.leaderboard({ environment: 'my-regression' });
      expect(board.length).toBeGreaterThan(0);
      const search = await server.services.startSearch({
        environment: 'my-regression',
        options: { epochs: 1, batchSize: 3 },
        seed: 7,
      });
      searchId = search.id;
      expect((await server.services.waitForSearch(search.id)).state).toBe('succeeded');
      const [best] = await server.services.leaderboard({ searchId: search.id });
      expect(best?.improved).toBe(true);
      expect(best?.selfReported).toBe(true);
      const experiment = await server.services.getExperiment(best?.experimentId as string);
      const implementation = await server.services.getImplementation(experiment.implementationId);
      winner = { id: experiment.id, files: await readChangedFiles(home, implementation) };
    } finally {
      await server.close();
    }
    expect(await snapshot(repo)).toEqual(before);

    const exported = await cli('export', searchId, '--git', repo, '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const result = JSON.parse(exported.stdout) as { branch: string; commit: string; base: string; message: string };
    expect(result.branch).toBe(`groundwork/${winner.id}`);
    expect(result.base).toBe(git(repo, 'rev-parse', 'main').trim());
    expect(git(repo, 'rev-parse', `${result.branch}^`).trim()).toBe(result.base);
    expect(git(repo, 'diff', '--name-only', result.base, result.branch).trim().split('\n')).toEqual(
      winner.files.map((f) => f.path),
    );
    for (const file of winner.files) expect(git(repo, 'show', `${result.branch}:${file.path}`)).toBe(file.content);
    expect(result.message).toMatch(new RegExp(`Experiment: ${winner.id}`));
    expect(result.message).toMatch(/val_loss [\d.]+ over seed\(s\) 0 \(profile default\)/);
    expect(result.message).toMatch(/self_reported/);
    const again = await cli('export', searchId, '--git', repo);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists in .*; pass --branch/);

    // Nothing but the new branch (its ref and objects) changed: the working tree, index, HEAD and main are as they were.
    const after = await snapshot(
      repo,
      (path) =>
        path.startsWith('.git/objects') ||
        path.startsWith('.git/refs/heads/groundwork') ||
        path.startsWith('.git/logs'),
    );
    const expected = Object.fromEntries(
      Object.entries(before).filter(([path]) => !path.startsWith('.git/objects') && !path.startsWith('.git/logs')),
    );
    expect(after).toEqual(expected);
    expect(git(repo, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(git(repo, 'status', '--porcelain')).toBe('?? scratch-notes.txt\n');
    expect(await readFile(join(repo, 'train.py'), 'utf8')).toBe(NUMPY_TRAIN);
  });
});
