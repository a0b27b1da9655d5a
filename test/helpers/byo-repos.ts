// Small repositories of the user's own kind for the env init tests: a numpy script and an autoresearch look-alike.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const LOG_PATTERN = String.raw`^val_loss:\s*([0-9.eE+-]+)`;

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
}

async function files(repo: string, content: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(content)) {
    await mkdir(join(repo, path, '..'), { recursive: true });
    await writeFile(join(repo, path), text);
  }
}

export const NUMPY_TRAIN = `# Linear regression with numpy: minibatch SGD, then the validation loss on held-out rows.
import os

import numpy as np

LEARNING_RATE = 0.05  # step size of plain SGD
STEPS = 20
BATCH_SIZE = 16

rng = np.random.default_rng(int(os.environ.get("GROUNDWORK_SEED", "0")))
data = np.load("data/dataset.npz")
x_train, y_train, x_val, y_val = data["x_train"], data["y_train"], data["x_val"], data["y_val"]
w = np.zeros(x_train.shape[1])
for step in range(STEPS):
    idx = rng.integers(0, len(x_train), BATCH_SIZE)
    xb, yb = x_train[idx], y_train[idx]
    w -= LEARNING_RATE * 2 * xb.T @ (xb @ w - yb) / BATCH_SIZE
    if step % 10 == 0:
        print(f"step {step} train_loss {np.mean((xb @ w - yb) ** 2):.4f}")
print(f"val_loss: {float(np.mean((x_val @ w - y_val) ** 2)):.6f}")
`;

const NUMPY_PREPARE = `# Make the synthetic regression data set (data/dataset.npz; not tracked).
import os

import numpy as np

rng = np.random.default_rng(1234)
w = rng.normal(size=8)
x = rng.normal(size=(600, 8))
y = x @ w + 0.3 * rng.normal(size=600)
os.makedirs("data", exist_ok=True)
np.savez("data/dataset.npz", x_train=x[:500], y_train=y[:500], x_val=x[500:], y_val=y[500:])
`;

/** A git repository with a numpy training script that prints `val_loss: …`, its data untracked in data/. */
export async function makeNumpyRepo(repo: string): Promise<void> {
  await mkdir(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  await files(repo, { 'train.py': NUMPY_TRAIN, 'prepare.py': NUMPY_PREPARE, '.gitignore': 'data/\n*.log\n' });
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'numpy regression');
  execFileSync(PYTHON, ['prepare.py'], { cwd: repo });
  await writeFile(join(repo, 'scratch-notes.txt'), 'untracked: never copied\n');
}

const AR_PREPARE = `# prepare.py (read-only, as in karpathy/autoresearch): constants, data in ~/.cache/autoresearch, evaluate_bpb.
import math
import os

import torch

MAX_SEQ_LEN = 32
TIME_BUDGET = 5  # seconds of training
EVAL_BYTES = 4096
CACHE_DIR = os.path.join(os.path.expanduser("~"), ".cache", "autoresearch")
DATA = os.path.join(CACHE_DIR, "text.txt")


def prepare():
    os.makedirs(CACHE_DIR, exist_ok=True)
    words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far", "away", "from", "home"]
    picks = torch.randint(len(words), (40000,), generator=torch.Generator().manual_seed(0)).tolist()
    with open(DATA, "w") as handle:
        handle.write(" ".join(words[i] for i in picks))


def load(split):
    data = torch.tensor(list(open(DATA, "rb").read()), dtype=torch.long)
    cut = len(data) - EVAL_BYTES
    return data[:cut] if split == "train" else data[cut:]


def get_batch(data, batch_size, generator):
    starts = torch.randint(len(data) - MAX_SEQ_LEN - 1, (batch_size,), generator=generator)
    return (torch.stack([data[s : s + MAX_SEQ_LEN] for s in starts]), torch.stack([data[s + 1 : s + MAX_SEQ_LEN + 1] for s in starts]))


@torch.no_grad()
def evaluate_bpb(model):
    """DO NOT CHANGE: bits per byte on the held-out bytes."""
    data = load("val")
    logits = model(data[:-1].unsqueeze(0))
    return torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), data[1:]).item() / math.log(2)


if __name__ == "__main__":
    prepare()
`;

const AR_TRAIN = `# train.py (the file the agent edits): a byte-level bigram model trained within the budget, then val_bpb.
import os
import time

import torch

import prepare

LEARNING_RATE = 0.01
BATCH_SIZE = 16
MAX_STEPS = 60

torch.manual_seed(int(os.environ.get("GROUNDWORK_SEED", "0")))
torch.set_num_threads(1)
model = torch.nn.Embedding(256, 256)
optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
train = prepare.load("train")
generator = torch.Generator().manual_seed(int(os.environ.get("GROUNDWORK_SEED", "0")))
start = time.time()
for step in range(MAX_STEPS):
    x, y = prepare.get_batch(train, BATCH_SIZE, generator)
    loss = torch.nn.functional.cross_entropy(model(x).view(-1, 256), y.view(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if time.time() - start > prepare.TIME_BUDGET:
        break
print("---")
print(f"val_bpb:          {prepare.evaluate_bpb(model):.6f}")
print(f"training_seconds: {time.time() - start:.1f}")
`;

export const RESULTS_TSV =
  'commit\tval_bpb\tmemory_gb\tstatus\tdescription\n' +
  'a1b2c3d\t7.210000\t0.0\tkeep\tbaseline\n' +
  'b2c3d4e\t7.050000\t0.0\tkeep\traise LEARNING_RATE to 0.02\n' +
  'c3d4e5f\t0.000000\t0.0\tcrash\ttie the input and output tables (shape error)\n';

/** A repository laid out like karpathy/autoresearch, CPU-sized; `prepare.py` is run with HOME=`home`. */
export async function makeAutoresearchRepo(repo: string, home: string): Promise<void> {
  await mkdir(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'master');
  await files(repo, {
    'prepare.py': AR_PREPARE,
    'train.py': AR_TRAIN,
    'program.md': '# program.md\nTry ideas in train.py; keep what lowers val_bpb.\n',
    '.gitignore': 'results.tsv\nrun.log\n',
  });
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'autoresearch look-alike');
  await writeFile(join(repo, 'results.tsv'), RESULTS_TSV);
  execFileSync(PYTHON, ['prepare.py'], { cwd: repo, env: { ...process.env, HOME: home } });
}

/** Every entry under `root` (.git included) with a hash of its content: equal snapshots mean byte-for-byte equal trees. */
export async function snapshot(
  root: string,
  skip: (path: string) => boolean = () => false,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir)) {
      const full = join(dir, entry);
      const path = relative(root, full);
      if (skip(path)) continue;
      const info = await lstat(full);
      if (info.isDirectory()) await visit(full);
      else if (info.isSymbolicLink()) out[path] = `-> ${await readlink(full)}`;
      else
        out[path] = `${info.mode.toString(8)} ${createHash('sha256')
          .update(await readFile(full))
          .digest('hex')}`;
    }
  };
  await visit(root);
  return out;
}
