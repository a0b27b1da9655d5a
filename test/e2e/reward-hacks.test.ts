// The known reward hacks, tried for real against tiny-lm (smoke profile, real PyTorch): none may raise the reward.
// The model code runs only in sealed model workers (environments/*/harness/sealed_eval.py): it must not find the
// held-out text by any path, nor the harness's memory, nor carry anything from one window to the next.
// Also covered elsewhere: result.json written by training (unit/scheduler/failures: "cheat"), code planted for the
// evaluation step (failures: "usersite"), frozen files changed by training (failures: "tamper"), a detached
// process outliving the time limit and training that ignores its budget (failures: "hang", "hang-tree": the
// executor enforces the limit whatever the code does), the causality probe (e2e/tiny-lm).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Experiment } from '../../src/domain/records.js';
import { probeBwrap } from '../../src/executors/local-sandbox.js';
import type { ResearchServer } from '../../src/server.js';
import { createTestServer, hasTorch } from '../helpers/test-server.js';

const canHide = probeBwrap('bwrap') === undefined;

/** An edit that appends `code` to the end of a workspace file. */
async function appendEdit(server: ResearchServer, file: string, code: string): Promise<string> {
  const environment = await server.services.getEnvironment('tiny-lm');
  const lines = (await readFile(join(environment.dir, file), 'utf8')).trimEnd().split('\n');
  const last = lines.at(-1) as string;
  return `${file}\n<<<<<<< SEARCH\n${last}\n=======\n${last}\n${code.trim()}\n>>>>>>> REPLACE\n`;
}

/**
 * model.py code that, when evaluated, looks for the held-out text by every path it can think of (relative, the
 * environment folder, every run folder, /proc/<pid>/cwd and fd of every process), for the harness's memory through
 * /proc/<ppid>, and for the text among its own objects; with the text it would add the hostile report's E17 8-gram
 * lookup (val_loss 1.47 instead of 3.13 there).
 */
function heldOutHunter(environmentValPath: string, runsRoot: string): string {
  return `
import sys as _sys
if _sys.argv[0].endswith(("evaluate.py", "model_worker.py")):
    import gc as _gc, glob as _glob, json as _json, os as _os
    import torch as _torch
    _text, _me, _ppid = None, _os.getpid(), _os.getppid()
    _paths = ["../harness/val.txt", "harness/val.txt", ${JSON.stringify(environmentValPath)},
              _os.environ.get("GROUNDWORK_HARNESS", "") + "/val.txt", f"/proc/{_ppid}/cwd/../harness/val.txt",
              f"/proc/{_ppid}/root" + ${JSON.stringify(environmentValPath)}]
    _paths += _glob.glob(${JSON.stringify(runsRoot)} + "/**/val.txt", recursive=True)
    for _pid in [p for p in _os.listdir("/proc") if p.isdigit() and int(p) != _me]:
        _paths += [f"/proc/{_pid}/cwd/../harness/val.txt", f"/proc/{_pid}/cwd/harness/val.txt"]
        try:
            _paths += [f"/proc/{_pid}/fd/{_fd}" for _fd in _os.listdir(f"/proc/{_pid}/fd")]
        except OSError:
            pass
    for _path in _paths:
        try:
            with open(_path, encoding="utf-8", errors="replace") as _handle:
                _data = _handle.read(200000)
            if _data.startswith("Chapter 56"):
                _text = _data
                print("HOSTILE HELD-OUT TEXT READ from", _path)
                break
        except Exception:
            pass
    for _name in ("environ", "maps", "mem"):
        try:
            with open(f"/proc/{_ppid}/{_name}", "rb") as _handle:
                _handle.read(1)
            print("HOSTILE HELD-OUT harness", _name, "readable")
        except Exception:
            pass
    _needle = " ".join(["One morning, about a week", "after Bingley's engagement"])
    if any(isinstance(_r, str) and len(_r) > 1000 and _needle in _r for _o in _gc.get_objects() for _r in _gc.get_referents(_o)):
        print("HOSTILE HELD-OUT TEXT found in this process")
    if _text is not None:
        with open("data/vocab.json", encoding="utf-8") as _handle:
            _stoi = {_c: _i for _i, _c in enumerate(_json.load(_handle)["chars"])}
        _ids = [_stoi.get(_c, 0) for _c in _text]
        _table = {tuple(_ids[_i - 8 : _i]): _ids[_i] for _i in range(8, len(_ids))}
        _forward = GPT.forward
        def _cheat(self, idx, targets=None):
            logits, loss = _forward(self, idx, targets)
            bonus = _torch.zeros_like(logits)
            for _r, _row in enumerate(idx.tolist()):
                for _t in range(7, len(_row)):
                    _next = _table.get(tuple(_row[_t - 7 : _t + 1]))
                    if _next is not None:
                        bonus[_r, _t, _next] = 5.0
            return logits + bonus, loss
        GPT.forward = _cheat
    print("HOSTILE searched", len(_paths), "paths")
`;
}

/**
 * model.py code that, when evaluated, keeps every window it is sent and adds an 8-gram lookup over the windows of
 * earlier requests. It stays causal within a window and answers the causality twin of a batch exactly like the
 * batch itself (both use the table as it was before the pair), so only the state probe can see it.
 */
const WINDOW_CACHE = `
import sys as _sys
if _sys.argv[0].endswith(("evaluate.py", "model_worker.py")):
    import torch as _torch
    _table, _state = {}, {"previous": None, "pending": []}
    _forward = GPT.forward
    def _cheat(self, idx, targets=None):
        logits, loss = _forward(self, idx, targets)
        rows = idx.tolist()
        previous = _state["previous"]
        twin = previous is not None and len(previous) == len(rows) and all(a[0] == b[0] for a, b in zip(previous, rows))
        if not twin:
            for row in _state["pending"]:
                for i in range(len(row) - 8):
                    counts = _table.setdefault(tuple(row[i : i + 8]), {})
                    counts[row[i + 8]] = counts.get(row[i + 8], 0) + 1
            _state["pending"] = []
        _state["pending"].extend(rows)
        _state["previous"] = rows
        bonus = _torch.zeros_like(logits)
        for r, row in enumerate(rows):
            for t in range(7, len(row)):
                counts = _table.get(tuple(row[t - 7 : t + 1]))
                if counts:
                    bonus[r, t, max(counts, key=counts.get)] = 4.0
        return logits + bonus, loss
    GPT.forward = _cheat
`;

describe.skipIf(!hasTorch)('reward hacks against tiny-lm', () => {
  // One server per test: its temp home is removed after each test.
  let server: ResearchServer;
  beforeEach(async () => {
    server = await createTestServer({ config: { preflight: { smoke: false } } });
  });
  afterEach(async () => server?.close());

  async function run(file: string, code: string): Promise<Experiment> {
    const implementation = await server.services.implementIdea({
      idea: { text: `append to ${file}` },
      environment: 'tiny-lm',
      edit: await appendEdit(server, file, code),
    });
    expect(implementation.status, implementation.error?.message).toBe('ready');
    const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'smoke' });
    return server.services.waitForExperiment(queued.id, 120_000);
  }

  it('monkey-patching the evaluator from the model module changes nothing', async () => {
    const honest = await run('model.py', '# an honest comment');
    const patched = await run(
      'model.py',
      `
import sys as _sys
if _sys.argv[0].endswith(("evaluate.py", "model_worker.py")):  # only when evaluated, so training runs as usual
    import atexit as _atexit, json as _json, os as _os
    import torch as _torch
    import torch.nn.functional as _F
    _real_log_softmax = _torch.log_softmax
    _torch.log_softmax = lambda x, dim=-1, **kw: _real_log_softmax(x, dim=dim) * 0.5  # halves every loss
    _real_sum = _torch.Tensor.sum
    _torch.Tensor.sum = lambda self, *a, **kw: _real_sum(self, *a, **kw) * 0.9
    _torch.Tensor.item = lambda self: 0.01
    _F.log_softmax = _torch.log_softmax
    _F.cross_entropy = lambda *a, **kw: _torch.tensor(0.01)
    _json.dump = lambda obj, fp, **kw: fp.write('{"metric": 0.9}')
    import subprocess as _subprocess, threading as _threading
    # The result folder sits next to the workspace.
    _result = _os.path.join(_os.getcwd(), "..", "out", "result.json")
    def _forge():
        try:
            with open(_result, "w") as handle:
                handle.write('{"metric": 0.9}')
        except OSError:
            pass
    _atexit.register(_forge)
    def _keep_forging():
        while True:
            _forge()
    _threading.Thread(target=_keep_forging, daemon=True).start()
    # A detached grandchild (forks, its parent exits, new session) that keeps forging too.
    _forger = chr(10).join([
        "import json, os, sys",
        "if os.fork(): os._exit(0)",
        "os.setsid()",
        "while True:",
        "    try: open(sys.argv[1], 'w').write(json.dumps({'metric': 0.8}))",
        "    except OSError: pass",
    ])
    _subprocess.Popen([_sys.executable, "-c", _forger, _result])
`,
    );
    expect(honest.state, JSON.stringify(honest.failure)).toBe('succeeded');
    expect(patched.state, JSON.stringify(patched.failure)).toBe('succeeded');
    // Same seed, same weights: the score is the honest one to the last digit.
    expect(patched.result?.metric.value).toBe(honest.result?.metric.value);

    // Leaving through SystemExit(0) at import, with a forged result queued in an exit hook, fails the run.
    const escaped = await run(
      'model.py',
      `
import sys as _sys
if _sys.argv[0].endswith(("evaluate.py", "model_worker.py")):
    import atexit as _atexit, os as _os
    def _forge():
        with open(_os.path.join(_os.getcwd(), "..", "out", "result.json"), "w") as handle:
            handle.write('{"metric": 0.9}')
    _atexit.register(_forge)
    raise SystemExit(0)
`,
    );
    expect(escaped.state).toBe('failed');
    expect(escaped.failure?.message).toMatch(/evaluation exited with code 1/);
    expect(escaped.failure?.logTail).toMatch(/SystemExit/);
  });

  it('evaluated model code finds the held-out text by no path and the harness memory not at all: it gains nothing', async () => {
    const environment = await server.services.getEnvironment('tiny-lm');
    const runs = join((server as ResearchServer & { home: string }).home, 'runs');
    const honest = await run('model.py', '# an honest comment');
    const hunter = await run('model.py', heldOutHunter(join(environment.dir, 'harness', 'val.txt'), runs));
    expect(honest.state, JSON.stringify(honest.failure)).toBe('succeeded');
    expect(hunter.state, JSON.stringify(hunter.failure)).toBe('succeeded');
    const log = await readFile(join(runs, hunter.id, 'seed-0', 'evaluate.log'), 'utf8');
    expect(log).toMatch(/HOSTILE searched \d+ paths/);
    expect(log).not.toMatch(/HOSTILE HELD-OUT/);
    // Nothing found, so the 8-gram lookup of the hostile report's E17 never switched on: the honest score.
    expect(hunter.result?.metric.value).toBe(honest.result?.metric.value);
  });

  it('a model that remembers the windows of earlier requests is caught by the state probe', async () => {
    const runs = join((server as ResearchServer & { home: string }).home, 'runs');
    const cheat = await run('model.py', WINDOW_CACHE);
    expect(cheat.state).toBe('failed');
    expect(cheat.failure?.category).toBe('suspicious');
    expect(cheat.failure?.message).toMatch(/state probe/);
    // What the cache earned it before the probe: far below the 3.13 this 20-step model scores honestly.
    const result = JSON.parse(await readFile(join(runs, cheat.id, 'seed-0', 'out', 'result.json'), 'utf8')) as {
      metric: number;
    };
    expect(result.metric).toBeLessThan(2.9);
  });

  it.skipIf(!canHide)('training cannot read the held-out text by its absolute path', async () => {
    const environment = await server.services.getEnvironment('tiny-lm');
    const secret = join(environment.dir, 'harness', 'val.txt');
    const experiment = await run(
      'train.py',
      `
import subprocess as _subprocess
_subprocess.run(["umount", ${JSON.stringify(join(environment.dir, 'harness'))}])  # try to uncover it first
try:
    with open(${JSON.stringify(secret)}, encoding="utf-8") as _handle:
        _text = _handle.read()
    print("HELD-OUT TEXT READ:", len(_text), "characters")
except OSError as _error:
    print("held-out text not readable:", _error)
`,
    );
    expect(experiment.state, JSON.stringify(experiment.failure)).toBe('succeeded');
    const log = await readFile(
      join((server as ResearchServer & { home: string }).home, 'runs', experiment.id, 'seed-0', 'train.log'),
      'utf8',
    );
    expect(log).toMatch(/held-out text not readable/);
    expect(log).not.toMatch(/HELD-OUT TEXT READ/);
  });

  it('an edit to the harness or the time limit is refused before anything runs', async () => {
    for (const [file, search] of [
      ['harness/evaluate.py', 'import json'],
      ['environment.json', '"timeLimitSec": 240'],
    ] as const) {
      const implementation = await server.services.implementIdea({
        idea: { text: `edit ${file}` },
        environment: 'tiny-lm',
        edit: `${file}\n<<<<<<< SEARCH\n${search}\n=======\n${search} \n>>>>>>> REPLACE\n`,
      });
      expect(implementation.status).toBe('failed');
      expect(implementation.error?.message).toMatch(/frozen/);
    }
  });
});
