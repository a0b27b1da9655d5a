// The known reward hacks, tried for real against tiny-lm (smoke profile, real PyTorch): none may raise the reward.
// Also covered elsewhere: result.json written by training (unit/scheduler/failures: "cheat"), code planted for the
// evaluation step (failures: "usersite"), frozen files changed by training (failures: "tamper"), a detached
// process outliving the time limit and training that ignores its budget (failures: "hang", "hang-tree": the
// executor enforces the limit whatever the code does), the causality probe (e2e/tiny-lm).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Experiment } from '../../src/domain/records.js';
import { detectIsolation } from '../../src/executors/local.js';
import type { ResearchServer } from '../../src/server.js';
import { createTestServer, hasTorch } from '../helpers/test-server.js';

const canHide = detectIsolation()?.at(-1) === 'groundwork-job';

/** An edit that appends `code` to the end of a workspace file. */
async function appendEdit(server: ResearchServer, file: string, code: string): Promise<string> {
  const environment = await server.services.getEnvironment('tiny-lm');
  const lines = (await readFile(join(environment.dir, file), 'utf8')).trimEnd().split('\n');
  const last = lines.at(-1) as string;
  return `${file}\n<<<<<<< SEARCH\n${last}\n=======\n${last}\n${code.trim()}\n>>>>>>> REPLACE\n`;
}

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
if _sys.argv[0].endswith("evaluate.py"):  # only in the evaluation step, so training runs as usual
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
if _sys.argv[0].endswith("evaluate.py"):
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
