// The trainer seam: the export contract (JSONL batch, ready file, rl advance) and the python trainer's job and vLLM call.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { advanceRun, waitingEpoch, writeRunInfo } from '../../../rl/run-files.js';
import { grpoScript } from '../../../rl/trainer-factory.js';
import { createExportTrainer } from '../../../rl/trainers/export-trainer.js';
import { createPythonTrainer, PYTHON_TRAINER_DEFAULTS, type TrainerJob } from '../../../rl/trainers/python-trainer.js';
import type { TrainingBatch } from '../../../rl/types.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { hasTorch } from '../../helpers/test-server.js';

function batch(epoch: number, policyVersion: number): TrainingBatch {
  const line = (group: number, reward: number, advantage: number) => ({
    prompt: { system: 'You are a scientist.', user: 'Propose one idea.' },
    completion: '<think>hm</think>\n[Experiment] EMA of weights. [Code Changes] train.py.',
    idea: '[Experiment] EMA of weights.\n[Code Changes] train.py.',
    reward,
    advantage,
    group,
    policy_version: policyVersion,
  });
  return {
    runId: 'rl_test',
    epoch,
    policyVersion,
    model: `m-v${policyVersion}`,
    prompts: [],
    lines: [line(0, 0.53, 1), line(0, 0, -1)],
    rollouts: [],
  };
}

describe('export trainer', () => {
  it('writes epoch-<k>.jsonl and returns the model named in epoch-<k>.ready.json', async () => {
    const dir = await tempDir();
    const waiting: string[] = [];
    const trainer = createExportTrainer({ dir, pollMs: 10, onWaiting: (file) => waiting.push(file) });
    const trained = trainer.train(batch(2, 2));
    await expect.poll(() => existsSync(join(dir, 'epoch-2.jsonl'))).toBe(true);
    const lines = (await readFile(join(dir, 'epoch-2.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as object);
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0] as object)).toEqual([
      'prompt',
      'completion',
      'idea',
      'reward',
      'advantage',
      'group',
      'policy_version',
    ]);
    expect(await waitingEpoch(dir)).toBe(2);
    await writeFile(join(dir, 'epoch-2.ready.json'), JSON.stringify({ model: 'qwen-grpo-3' }));
    expect(await trained).toEqual({ policyVersion: 3, model: 'qwen-grpo-3' });
    expect(waiting).toEqual([join(dir, 'epoch-2.ready.json')]);
    expect(await waitingEpoch(dir)).toBeUndefined();
  });

  it('is released by "rl advance" (which only writes the ready file), and refuses a bad ready file', async () => {
    const home = await tempDir();
    const dir = join(home, 'export');
    await writeRunInfo(home, { id: 'rl_test', environment: 'tiny-lm', trainer: 'export', exportDir: dir });
    await expect(advanceRun(home, 'rl_test', 'x')).rejects.toThrow(/not waiting for a trainer/);
    await expect(advanceRun(home, 'rl_nope', 'x')).rejects.toMatchObject({ code: 'not_found' });
    const trained = createExportTrainer({ dir, pollMs: 10 }).train(batch(0, 0));
    await expect.poll(() => waitingEpoch(dir)).toBe(0);
    expect(await advanceRun(home, 'rl_test', 'policy-v1')).toEqual({ epoch: 0, file: join(dir, 'epoch-0.ready.json') });
    expect(await trained).toEqual({ policyVersion: 1, model: 'policy-v1' });

    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'epoch-1.ready.json'), '{"modle": "typo"}');
    await expect(createExportTrainer({ dir, pollMs: 5 }).train(batch(1, 1))).rejects.toThrow(
      /epoch-1.ready.json is not/,
    );
  });
});

describe('python trainer', () => {
  it('runs the GRPO step as a job, from the previous adapter, then loads the adapter into vLLM', async () => {
    const workDir = await tempDir();
    const jobs: TrainerJob[] = [];
    const posts: { url: string; body: unknown }[] = [];
    const trainer = createPythonTrainer({
      runJob: async (job) => {
        jobs.push(job);
        const out = job.command[job.command.indexOf('--out') + 1] as string;
        await mkdir(out, { recursive: true });
        await writeFile(join(out, 'adapter_config.json'), '{}');
        return { exitCode: 0, signal: null, timedOut: false };
      },
      python: '/usr/bin/python3',
      script: grpoScript(),
      workDir,
      runId: 'rl_test',
      baseModel: '/models/qwen',
      servedName: 'qwen',
      vllmUrl: 'http://127.0.0.1:8000/v1',
      gpus: 1,
      timeLimitSec: 3600,
      env: { PATH: '/usr/bin' },
      settings: PYTHON_TRAINER_DEFAULTS,
      fetchImpl: (async (url: string, init: RequestInit) => {
        posts.push({ url, body: JSON.parse(init.body as string) });
        return new Response('{}', { status: 200 });
      }) as unknown as typeof fetch,
    });
    expect(await trainer.train(batch(0, 0))).toEqual({ policyVersion: 1, model: 'qwen-v1' });
    expect(await trainer.train(batch(1, 1))).toEqual({ policyVersion: 2, model: 'qwen-v2' });
    expect(jobs[0]?.command).not.toContain('--adapter');
    expect(jobs[1]?.command).toEqual(
      expect.arrayContaining(['--adapter', join(workDir, 'adapter-v1'), '--out', join(workDir, 'adapter-v2')]),
    );
    expect(jobs[1]).toMatchObject({ gpus: 1, jobId: 'rl_test-train-e1', writable: [workDir] });
    expect(posts[1]).toEqual({
      url: 'http://127.0.0.1:8000/v1/load_lora_adapter',
      body: { lora_name: 'qwen-v2', lora_path: join(workDir, 'adapter-v2') },
    });
    // Resumed after the step saved its adapter: no second job, only the load.
    await trainer.train(batch(1, 1));
    expect(jobs).toHaveLength(2);
  });

  it('fails with the log tail when the step fails, and when vLLM refuses the adapter', async () => {
    const workDir = await tempDir();
    const base = {
      python: 'python3',
      script: grpoScript(),
      workDir,
      runId: 'rl_t',
      baseModel: 'm',
      servedName: 'm',
      gpus: 1,
      timeLimitSec: 60,
      env: {},
      settings: PYTHON_TRAINER_DEFAULTS,
    };
    const failing = createPythonTrainer({
      ...base,
      runJob: async (job) => {
        await writeFile(job.logPath, 'Traceback: CUDA out of memory\n');
        return { exitCode: 1, signal: null, timedOut: false };
      },
    });
    await expect(failing.train(batch(0, 0))).rejects.toThrow(
      /GRPO step for epoch 0 failed \(exit 1\)[\s\S]*CUDA out of memory/,
    );
    const refused = createPythonTrainer({
      ...base,
      vllmUrl: 'http://127.0.0.1:8000',
      runJob: async (job) => {
        const out = job.command[job.command.indexOf('--out') + 1] as string;
        await mkdir(out, { recursive: true });
        await writeFile(join(out, 'adapter_config.json'), '{}');
        return { exitCode: 0, signal: null, timedOut: false };
      },
      fetchImpl: (async () => new Response('LoRA is not enabled', { status: 400 })) as unknown as typeof fetch,
    });
    await expect(refused.train(batch(0, 0))).rejects.toThrow(/refused adapter m-v1 \(HTTP 400\).*--enable-lora/);
  });

  it.skipIf(!hasTorch)(
    'has GRPO loss and LoRA maths that pass their own tests on CPU (transformers parts skip without it)',
    () => {
      const result = spawnSync('/usr/bin/python3', ['-B', 'rl/python/test_grpo.py'], {
        cwd: resolve(import.meta.dirname, '../../..'),
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/Ran 9 tests[\s\S]*OK/);
      const transformers = spawnSync('/usr/bin/python3', ['-c', 'import transformers']).status === 0;
      if (!transformers) expect(result.stderr).toMatch(/skipped 'transformers is not installed'/);
    },
  );
});
