// The nanogpt environment on a CPU: its smoke profile through the whole pipeline, the causality check,
// the manifest's knobs, and the shard path from prepare_data.py to the harness. Skipped without Debian's torch.
import { execFile } from 'node:child_process';
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { loadManifest } from '../../src/environments/registry.js';
import { tempDir } from '../helpers/temp-dir.js';
import { BUNDLED_ENVIRONMENTS, createTestServer, hasTorch } from '../helpers/test-server.js';

const ENVIRONMENT = join(BUNDLED_ENVIRONMENTS, 'nanogpt');
const run = promisify(execFile);

/** A search/replace edit of one line of one file, found by a pattern. */
async function replaceLine(file: string, pattern: RegExp, replace: (line: string) => string): Promise<string> {
  const text = await readFile(join(ENVIRONMENT, file), 'utf8');
  const line = text.split('\n').find((candidate) => pattern.test(candidate));
  expect(line, `${file} has a line matching ${pattern}`).toBeDefined();
  return `${file}\n<<<<<<< SEARCH\n${line}\n=======\n${replace(line as string)}\n>>>>>>> REPLACE\n`;
}

describe.skipIf(!hasTorch)('nanogpt with real PyTorch (smoke profile)', () => {
  it('trains a knob edit, evaluates it in a separate step and rewards it', async () => {
    const server = await createTestServer({ config: { preflight: { smoke: false } } });
    try {
      const edit = await replaceLine('optim.py', /^LEARNING_RATE = /, () => 'LEARNING_RATE = 0.003');
      const implementation = await server.services.implementIdea({
        idea: { text: 'double the peak learning rate' },
        environment: 'nanogpt',
        edit,
      });
      expect(implementation.status, implementation.error?.message).toBe('ready');
      expect(implementation.filesChanged).toEqual(['optim.py']);
      const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'smoke' });
      const experiment = await server.services.waitForExperiment(queued.id, 150_000);
      expect(experiment.state, JSON.stringify(experiment.failure)).toBe('succeeded');
      const { metric } = experiment.result ?? {};
      expect(metric?.name).toBe('val_loss');
      // Synthetic tokens: 5.55 nats untrained (ln 256), 3.00 at best; 60 steps land in between.
      expect(metric?.value).toBeGreaterThan(3);
      expect(metric?.value).toBeLessThan(5.5);
      expect(experiment.result?.reward).toBeCloseTo(1 / (metric?.value as number), 9);
    } finally {
      await server.close();
    }
  });

  it('marks a model that attends to future tokens as suspicious', async () => {
    const server = await createTestServer({ config: { preflight: { smoke: false } } });
    try {
      // Both attention paths: torch 2's fused attention and the explicit mask of torch 1.13.
      const fused = await replaceLine('model.py', /is_causal=True/, (line) =>
        line.replace('is_causal=True', 'is_causal=False'),
      );
      const masked = await replaceLine('model.py', /masked_fill\(future/, (line) =>
        line.replace(/scores = .*/, 'pass  # every position sees every other, future included'),
      );
      const implementation = await server.services.implementIdea({
        idea: { text: 'let attention see the whole sequence' },
        environment: 'nanogpt',
        edit: `${fused}\n${masked}`,
      });
      expect(implementation.status, implementation.error?.message).toBe('ready');
      const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'smoke' });
      const experiment = await server.services.waitForExperiment(queued.id, 150_000);
      expect(experiment.state).toBe('failed');
      expect(experiment.failure?.category).toBe('suspicious');
      expect(experiment.failure?.message).toMatch(/causal/i);
    } finally {
      await server.close();
    }
  });

  it('reads prepared shards: prepare_data.py writes them, train.py learns from them, the harness scores them', async () => {
    const dir = await tempDir();
    const workspace = join(dir, 'workspace');
    await cp(ENVIRONMENT, workspace, { recursive: true });
    await rm(join(workspace, 'harness'), { recursive: true });
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1', CUDA_VISIBLE_DEVICES: '' };
    const python = (args: string[], extra: Record<string, string>) =>
      run('/usr/bin/python3', args, { cwd: workspace, env: { ...env, ...extra }, timeout: 120_000 });

    await python(
      [
        '-c',
        `import numpy, token_data; numpy.save(${JSON.stringify(join(dir, 'ids.npy'))}, token_data.synthetic_tokens(300000, 7))`,
      ],
      {},
    );
    const data = join(dir, 'data');
    const prepared = await python(
      [
        'prepare_data.py',
        '--out',
        data,
        '--tokens-from',
        join(dir, 'ids.npy'),
        '--val-tokens',
        '20000',
        '--shard-tokens',
        '100000',
      ],
      {},
    );
    expect(prepared.stdout).toMatch(/20,000 validation and 280,000 training tokens/);

    const smoke = { NANOGPT_SMOKE: '1', NANOGPT_MAX_STEPS: '30', NANOGPT_TRAIN_SECONDS: '60', NANOGPT_THREADS: '2' };
    const checkpoint = join(dir, 'checkpoint');
    await python(['launch.py'], {
      ...smoke,
      GROUNDWORK_CHECKPOINT_DIR: checkpoint,
      GROUNDWORK_TRAIN_DATA: join(data, 'train'),
    });
    const out = join(dir, 'out');
    await python([join(ENVIRONMENT, 'harness', 'evaluate.py')], {
      ...smoke,
      NANOGPT_EVAL_TOKENS: '8192',
      GROUNDWORK_CHECKPOINT_DIR: checkpoint,
      GROUNDWORK_OUT: out,
      GROUNDWORK_EVAL_DATA: join(data, 'val'),
    });
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as {
      metric: number;
      metrics: Record<string, number>;
      curve: [number, number][];
    };
    expect(result.metrics.tokens).toBe(8192);
    expect(result.metrics.train_steps).toBe(30);
    expect(result.metric).toBeGreaterThan(3);
    expect(result.metric).toBeLessThan(Math.log(256));
    expect(result.curve.length).toBeGreaterThan(0);
  });
});

describe('nanogpt manifest', () => {
  it('is valid, and every knob names a top-level assignment holding its default', async () => {
    const { manifest } = await loadManifest(ENVIRONMENT);
    expect(manifest.metric).toEqual({ name: 'val_loss', direction: 'min' });
    expect(manifest.resources.gpus).toBe(8);
    expect(manifest.profiles.smoke?.resources?.gpus).toBe(0);
    expect(manifest.profiles.smoke?.data).toEqual({});
    expect(Object.keys(manifest.knobs).length).toBeGreaterThan(5);
    for (const [name, knob] of Object.entries(manifest.knobs)) {
      expect(manifest.editable, `knobs.${name}`).toContain(knob.file);
      const text = await readFile(join(ENVIRONMENT, knob.file), 'utf8');
      const match = new RegExp(`^${knob.variable}\\s*=\\s*([^#\\n]+?)\\s*(?:#.*)?$`, 'm').exec(text);
      expect(match, `${knob.file} assigns ${knob.variable}`).not.toBeNull();
      const written = (match as RegExpExecArray)[1] as string;
      expect(Number(written.replace(/_/g, '')), `knobs.${name} default`).toBe(Number(knob.default));
      if (knob.type === 'choice') expect(knob.choices, `knobs.${name}`).toContain(knob.default);
      else {
        expect(Number(knob.default)).toBeGreaterThanOrEqual(knob.min as number);
        expect(Number(knob.default)).toBeLessThanOrEqual(knob.max as number);
      }
    }
  });
});
