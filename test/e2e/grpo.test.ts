// The grpo environment with real PyTorch: its smoke profile through the whole pipeline, its frozen harness, its
// manifest's knobs, and its Python unit tests. Skipped, not passed, without Debian's torch.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadManifest } from '../../src/environments/registry.js';
import { BUNDLED_ENVIRONMENTS, createTestServer, hasTorch } from '../helpers/test-server.js';

const GRPO_DIR = join(BUNDLED_ENVIRONMENTS, 'grpo');
const SMOKE_EVAL_PROBLEMS = 20;

function searchReplace(path: string, search: string, replace: string): string {
  return `${path}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;
}

const knobEdit = searchReplace('grpo.py', 'CLIP_RANGE = 0.2', 'CLIP_RANGE = 0.3');

// Training that claims a perfect score wherever it can write: $GROUNDWORK_OUT (unset in training), the run's out
// folder next to the checkpoint, the checkpoint itself, and the accuracy and curve in train_log.json.
const saveLine = `    print(f"grpo: saved the policy to {checkpoint_dir} after {log['seconds']:.1f}s", flush=True)`;
const fakeResult = [
  saveLine,
  '    fake = {"metric": 1.0, "metrics": {"accuracy": 1.0, "n": 500}, "curve": [[1, 1.0]]}',
  '    run_dir = os.path.dirname(os.path.abspath(checkpoint_dir))',
  '    for folder in (os.environ.get("GROUNDWORK_OUT", ""), os.path.join(run_dir, "out"), checkpoint_dir):',
  '        if folder:',
  '            os.makedirs(folder, exist_ok=True)',
  '            with open(os.path.join(folder, "result.json"), "w", encoding="utf-8") as handle:',
  '                json.dump(fake, handle)',
  '    log.update(accuracy=1.0, metric=1.0)',
  '    with open(os.path.join(checkpoint_dir, "train_log.json"), "w", encoding="utf-8") as handle:',
  '        json.dump(log, handle)',
].join('\n');

describe.skipIf(!hasTorch)('grpo environment with real PyTorch', () => {
  it('runs a knob edit through the smoke profile, and a run that fakes its result gets the harness score', async () => {
    const server = await createTestServer({ config: { preflight: { smoke: false } } });
    try {
      const run = async (text: string, edit: string) => {
        const implementation = await server.services.implementIdea({ idea: { text }, environment: 'grpo', edit });
        expect(implementation.status, implementation.error?.message).toBe('ready');
        const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'smoke' });
        return server.services.waitForExperiment(queued.id, 240_000);
      };
      const honest = await run('clip range 0.3', knobEdit);
      expect(honest.state, JSON.stringify(honest.failure)).toBe('succeeded');
      const metric = honest.result?.metric;
      expect(metric?.name).toBe('accuracy');
      expect(metric?.value).toBeGreaterThanOrEqual(0);
      expect(metric?.value).toBeLessThanOrEqual(1);
      const metrics = honest.runs[0]?.metrics;
      expect(metrics?.n).toBe(SMOKE_EVAL_PROBLEMS);
      expect(metrics?.format_rate).toBeGreaterThanOrEqual(0);
      expect(metrics?.train_reward_final, 'the training curve reached the harness').toBeGreaterThanOrEqual(0);

      // The same training (same knob, same seed) plus a fake result: the harness recomputes the same accuracy.
      const faked = await run(
        'clip range 0.3, and claim a perfect score',
        `${knobEdit}${searchReplace('train.py', saveLine, fakeResult)}`,
      );
      expect(faked.state, JSON.stringify(faked.failure)).toBe('succeeded');
      expect(faked.result?.metric?.value).toBe(metric?.value);
      expect(faked.runs[0]?.metrics?.n).toBe(SMOKE_EVAL_PROBLEMS);
      expect(faked.runs[0]?.metrics?.accuracy).toBe(metric?.value);
      expect(faked.result?.metric?.value).toBeLessThan(1);
    } finally {
      await server.close();
    }
  }, 600_000);

  it('refuses an edit to the frozen harness at implement time', async () => {
    const server = await createTestServer({ config: { preflight: { smoke: false } } });
    try {
      const edit = searchReplace(
        'harness/grader.py',
        '    correct = answer is not None and is_equivalent(answer, reference)',
        '    correct = True',
      );
      const implementation = await server.services.implementIdea({
        idea: { text: 'grade every answer as correct' },
        environment: 'grpo',
        edit,
      });
      expect(implementation.status).not.toBe('ready');
      expect(implementation.error?.message).toMatch(/frozen/);
    } finally {
      await server.close();
    }
  });

  it('passes its Python unit tests (grader, checkpoint checks, smoke model, training code)', () => {
    const result = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-p', 'test_*.py'], {
      cwd: GRPO_DIR,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).toMatch(/^OK/m);
  });
});

describe('grpo manifest', () => {
  it('declares every knob in its editable file with the default it states', async () => {
    const { manifest } = await loadManifest(GRPO_DIR);
    expect(manifest.metric).toEqual({ name: 'accuracy', direction: 'max' });
    expect(Object.keys(manifest.knobs).length).toBeGreaterThanOrEqual(10);
    for (const [name, knob] of Object.entries(manifest.knobs)) {
      expect(manifest.editable, `knob ${name}`).toContain(knob.file);
      const text = await readFile(join(GRPO_DIR, knob.file), 'utf8');
      const line = new RegExp(`^${knob.variable}\\s*=\\s*(.+?)\\s*(?:#.*)?$`, 'm').exec(text);
      expect(line, `${knob.file} assigns ${knob.variable}`).not.toBeNull();
      const value: unknown = JSON.parse(line?.[1] ?? 'null');
      expect(value, `knob ${name}`).toBe(knob.default);
      if (knob.type === 'choice') expect(knob.choices, `knob ${name}`).toContain(knob.default);
      else {
        expect(knob.default as number, `knob ${name}`).toBeGreaterThanOrEqual(knob.min as number);
        expect(knob.default as number, `knob ${name}`).toBeLessThanOrEqual(knob.max as number);
      }
    }
  });

  it('keeps the smoke profile on CPU with its own data, and the real run on one GPU with fetched data', async () => {
    const { manifest } = await loadManifest(GRPO_DIR);
    expect(manifest.resources.gpus).toBe(1);
    expect(manifest.data).toMatchObject({ train: 'train', evaluate: 'evaluate' });
    expect(manifest.profiles.smoke?.resources?.gpus).toBe(0);
    expect(manifest.profiles.smoke?.data).toEqual({});
    expect(manifest.profiles['1gpu']?.resources?.gpus).toBe(1);
    expect(manifest.frozen).toEqual(expect.arrayContaining(['harness/**', 'environment.json', 'fetch.py']));
  });
});
