// env init's refusals (each writes nothing), the --evaluate path, and add_environment / export_result over MCP.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';

import { git, LOG_PATTERN, makeNumpyRepo, NUMPY_TRAIN, PYTHON, snapshot } from '../helpers/byo-repos.js';
import { tempDirFor } from '../helpers/byo-temp.js';
import { callTool, connectInMemory, newClient } from '../helpers/mcp-client.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestServer } from '../helpers/test-server.js';

describe('env init refuses bad input and writes nothing', () => {
  let root: string;
  let repo: string;
  let home: string;
  const cli = (...args: string[]) => runCli(args, { env: { GROUNDWORK_HOME: home, GROUNDWORK_PYTHON: PYTHON } });

  beforeAll(async () => {
    root = await tempDirFor('groundwork-byo-bad-');
    repo = join(root, 'repo');
    home = join(root, 'home');
    await makeNumpyRepo(repo);
  });

  it.each([
    [
      'a path that does not exist',
      ['env', 'init', 'NOPE', '--metric-from-log', LOG_PATTERN],
      /NOPE does not exist; give the folder of your training code/,
    ],
    [
      'a regex that never matches',
      ['env', 'init', 'REPO', '--metric-from-log', String.raw`^vall_loss:\s*([0-9.]+)`],
      /never matches a number: no line the code could print/,
    ],
    [
      'a regex that does not compile',
      ['env', 'init', 'REPO', '--metric-from-log', '^val_loss: ([0-9.]+'],
      /is not a valid regular expression/,
    ],
    [
      'a frozen glob that covers the editable file',
      ['env', 'init', 'REPO', '--metric-from-log', LOG_PATTERN, '--frozen', '*.py'],
      /--frozen \*\.py covers the editable file train\.py/,
    ],
    [
      'a data folder inside the editable set',
      [
        'env',
        'init',
        'REPO',
        '--metric-from-log',
        LOG_PATTERN,
        '--editable',
        '**',
        '--frozen',
        'prepare.py',
        '--data',
        'data',
      ],
      /--data data lies inside the editable set \(--editable \*\* matches data\)/,
    ],
    [
      'data that does not exist',
      ['env', 'init', 'REPO', '--metric-from-log', LOG_PATTERN, '--data', 'shards'],
      /--data shards: .*shards does not exist/,
    ],
    [
      'an editable glob that names no tracked file',
      ['env', 'init', 'REPO', '--metric-from-log', LOG_PATTERN, '--editable', 'scratch-notes.txt'],
      /--editable scratch-notes\.txt matches no file .*tracked files/,
    ],
    [
      'both ways to get the metric',
      ['env', 'init', 'REPO', '--metric-from-log', LOG_PATTERN, '--evaluate', 'python eval.py'],
      /give one of --metric-from-log REGEX and --evaluate/,
    ],
    [
      'no way to get the metric, without a terminal',
      ['env', 'init', 'REPO', '--metric', 'val_loss'],
      /cannot tell from .*\n {2}- how to measure val_loss: pass --metric-from-log .* or --evaluate/,
    ],
    [
      'a bad results.tsv',
      ['env', 'init', 'REPO', '--metric-from-log', LOG_PATTERN, '--import-results', 'prepare.py'],
      /expected a tab-separated header "commit, val_bpb, memory_gb, status, description"/,
    ],
  ])('%s', async (_, args, message) => {
    const before = await snapshot(repo);
    const result = await cli(...args.map((arg) => (arg === 'REPO' ? repo : arg === 'NOPE' ? join(root, 'NOPE') : arg)));
    expect(result.code, result.stdout).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(join(home, 'environments'))).toBe(false);
    expect(existsSync(join(home, 'tmp')) ? await readdir(join(home, 'tmp')) : []).toEqual([]);
    expect(await snapshot(repo)).toEqual(before);
  });

  it('refuses a name that is taken, leaving the existing environment as it was', async () => {
    expect((await cli('env', 'init', repo, '--metric-from-log', LOG_PATTERN)).code).toBe(0);
    const again = await cli('env', 'init', repo, '--metric-from-log', LOG_PATTERN, '--time-limit', '5');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/an environment named repo already exists .*; pick another --name/);
    expect((await cli('env', 'init', repo, '--name', 'tiny-lm', '--metric-from-log', LOG_PATTERN)).stderr).toMatch(
      /tiny-lm already exists/,
    );
  });
});

const TRAIN_SAVES = NUMPY_TRAIN.replace(
  /print\(f"val_loss.*\n$/,
  'np.save("weights.npy", w)\nprint("saved weights.npy")\n',
);
const EVALUATE = `# The user's own evaluation: the held-out loss of the weights training saved.
import numpy as np

data = np.load("data/dataset.npz")
w = np.load("weights.npy")
print(f"val_loss = {float(np.mean((data['x_val'] @ w - data['y_val']) ** 2)):.6f}")
`;

describe('--evaluate and the MCP tools', () => {
  let root: string;
  let repo: string;
  let home: string;

  beforeAll(async () => {
    root = await tempDirFor('groundwork-byo-eval-');
    repo = join(root, 'evaluated');
    home = join(root, 'home');
    await makeNumpyRepo(repo);
    await writeFile(join(repo, 'train.py'), TRAIN_SAVES);
    await writeFile(join(repo, 'evaluate.py'), EVALUATE);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'separate evaluation');
  });

  it('add_environment works only under allowed roots; the user evaluation runs as its own step; export_result makes the branch', async () => {
    const server = await createTestServer({ home, config: { python: [PYTHON] } });
    const outsider = await connectInMemory(server);
    const client = newClient({ capabilities: { roots: {} } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: pathToFileURL(root).href, name: 'work' }],
    }));
    const { close } = await connectInMemory(server, client);
    try {
      const args = { path: repo, evaluate: '{python} evaluate.py', metric: 'val_loss', data: ['data'], time_limit: 60 };
      const refused = await callTool(outsider.client, 'add_environment', args);
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/allowedRoots|MCP client/);
      const editableEval = await callTool(client, 'add_environment', { ...args, editable: ['*.py'] });
      expect(editableEval.text).toMatch(
        /the evaluation command runs evaluate\.py, which --editable \*\.py makes editable/,
      );
      const added = await callTool(client, 'add_environment', args);
      expect(added.isError, added.text).toBe(false);
      expect(added.data).toMatchObject({
        name: 'evaluated',
        editable: ['train.py'],
        metric: { name: 'val_loss', self_reported: false },
      });
      expect(added.data.frozen).toEqual(expect.arrayContaining(['evaluate.py', 'data']));

      const implemented = await server.services.implementIdea({
        environment: 'evaluated',
        idea: { title: 'More steps', text: 'Train for 200 steps.' },
        edit: 'train.py\n<<<<<<< SEARCH\nSTEPS = 20\n=======\nSTEPS = 200\n>>>>>>> REPLACE\n',
      });
      const queued = await server.services.runExperiment({ implementationId: implemented.id });
      const experiment = await server.services.waitForExperiment(queued.id, 60_000);
      expect(experiment.state, JSON.stringify(experiment.failure)).toBe('succeeded');
      expect(experiment.result?.metric.selfReported).toBeUndefined();

      // Training that points a data link elsewhere (so evaluation would read other data) is caught.
      const relink = await server.services.implementIdea({
        environment: 'evaluated',
        idea: { title: 'Swap the data', text: 'Point data/ elsewhere after training.' },
        edit: 'train.py\n<<<<<<< SEARCH\nnp.save("weights.npy", w)\n=======\nnp.save("weights.npy", w)\nos.remove("data")\nos.symlink("/tmp", "data")\n>>>>>>> REPLACE\n',
      });
      const swapped = await server.services.waitForExperiment(
        (await server.services.runExperiment({ implementationId: relink.id })).id,
        60_000,
      );
      expect(swapped.failure).toMatchObject({ category: 'suspicious', message: 'training changed frozen files: data' });

      const before = await snapshot(repo, (path) => path.startsWith('.git/'));
      const elsewhere = await callTool(outsider.client, 'export_result', { id: experiment.id, repo });
      expect(elsewhere.isError).toBe(true);
      const exported = await callTool(client, 'export_result', { id: experiment.id, repo });
      expect(exported.isError, exported.text).toBe(false);
      expect(exported.data).toMatchObject({
        branch: `groundwork/${experiment.id}`,
        files: ['train.py'],
        experiment_id: experiment.id,
      });
      expect(git(repo, 'diff', 'main', exported.data.branch as string)).toMatch(/^-STEPS = 20\n\+STEPS = 200$/m);
      expect(exported.data.message).not.toMatch(/self_reported/);
      expect(await snapshot(repo, (path) => path.startsWith('.git/'))).toEqual(before);
    } finally {
      await close();
      await outsider.close();
      await server.close();
    }
  });
});
