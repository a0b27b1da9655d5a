// RL end to end: the built CLI against a scripted OpenAI-compatible policy server on loopback, the export trainer,
// tiny-lm smoke runs, a kill while it waits for its trainer, resume, advance, status and list.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI, runCli } from '../helpers/run-cli.js';
import { chatCompletion, type ScriptedLlmServer, startScriptedLlmServer } from '../helpers/scripted-llm-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { hasTorch } from '../helpers/test-server.js';

const IDEAS = [
  [
    'Higher peak learning rate',
    'Raise the peak learning rate to 4e-3 so the short run gets further.',
    'In train.py set LEARNING_RATE = 4e-3.',
  ],
  [
    'Less weight decay',
    'Lower the weight decay to 0.05 because the small model under-fits.',
    'In train.py set WEIGHT_DECAY = 0.05.',
  ],
  [
    'Quantum annealing optimiser',
    'Replace AdamW by a quantum annealing optimiser from a package.',
    'In train.py import qanneal and use it.',
  ],
];

/** The policy: thinking, then one idea (or, every fourth answer, no idea at all). */
function policyAnswer(index: number): string {
  if (index % 4 === 3) return '<think>I am not sure.</think>\nI would rather not propose anything today.';
  const [title, experiment, changes] = IDEAS[index % 4] as string[];
  return `<think>The baseline is short; ${'let me think. '.repeat(20)}</think>\n[Title] ${title}\n[Experiment] ${experiment}\n[Code Changes] ${changes}\n[End]`;
}

/** The implementer: exact edits for the first two ideas, an edit of text that is not there for the third. */
function implementerAnswer(prompt: string): string {
  const block = (search: string, replace: string) =>
    `train.py\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;
  if (prompt.includes('Raise the peak learning rate')) return block('LEARNING_RATE = 3e-3', 'LEARNING_RATE = 4e-3');
  if (prompt.includes('Lower the weight decay')) return block('WEIGHT_DECAY = 0.1', 'WEIGHT_DECAY = 0.05');
  return block('import qanneal_missing_line', 'import qanneal');
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return Object.assign(child, { out });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));

describe.skipIf(!hasTorch)(
  'groundwork rl on tiny-lm (smoke) with a scripted policy server and the export trainer',
  () => {
    let llm: ScriptedLlmServer;
    const policyModels: string[] = [];

    beforeAll(async () => {
      let policyCalls = 0;
      llm = await startScriptedLlmServer((request) => {
        const model = String(request.body.model);
        const messages = request.body.messages as { role: string; content: string }[];
        if (model.startsWith('policy-')) {
          policyModels.push(model);
          return { body: chatCompletion(policyAnswer(policyCalls++), { model }) };
        }
        return { body: chatCompletion(implementerAnswer(messages.map((m) => m.content).join('\n')), { model }) };
      });
    });
    afterAll(() => llm.close());

    it('samples, implements, runs, exports, waits, resumes after a kill without re-running anything, and finishes', async () => {
      const home = await tempDir();
      const exportDir = join(home, 'batches');
      const config = join(home, 'config.json');
      await writeFile(config, JSON.stringify({ preflight: { smoke: false } }));
      const env = {
        PATH: process.env.PATH,
        GROUNDWORK_HOME: home,
        GROUNDWORK_CONFIG: config,
        GROUNDWORK_PYTHON: '/usr/bin/python3',
        GROUNDWORK_PROVIDER: 'openai',
        GROUNDWORK_MODEL: 'implementer-x',
        GROUNDWORK_SAMPLES: '1',
        GROUNDWORK_REVISIONS: '0',
        GROUNDWORK_LOG_LEVEL: 'warn',
        OPENAI_BASE_URL: `${llm.url}/v1`,
      };
      const args = ['--policy-url', `${llm.url}/v1`, '--model', 'policy-v0', '--group-size', '4', '--epochs', '2'];
      const start = spawnCli(
        ['rl', 'start', '--environment', 'tiny-lm', ...args, '--profile', 'smoke', '--export-dir', exportDir, '--json'],
        env,
      );
      await expect
        .poll(() => existsSync(join(exportDir, 'epoch-0.jsonl')), { timeout: 240_000, interval: 250 })
        .toBe(true);
      const id = /run (rl_\w+)/.exec(start.out.stderr)?.[1] as string;
      expect(id, start.out.stderr).toBeDefined();

      // The batch: one line per rollout, in the export contract's shape.
      const lines = (await readFile(join(exportDir, 'epoch-0.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(4);
      for (const line of lines) {
        expect(Object.keys(line)).toEqual([
          'prompt',
          'completion',
          'idea',
          'reward',
          'advantage',
          'group',
          'policy_version',
        ]);
        expect(line).toMatchObject({ group: 0, policy_version: 0 });
        expect(line.prompt.user).toMatch(/Propose 1 distinct research idea/);
        expect(line.completion).toMatch(/^<think>/);
      }
      expect(lines.map((l) => l.reward > 0)).toEqual([true, true, false, false]);
      expect(lines[3].idea).toBeNull();
      expect(lines[0].advantage).toBeGreaterThan(0);
      expect(lines[3].advantage).toBeLessThan(0);
      expect(lines.reduce((sum: number, l: { advantage: number }) => sum + l.advantage, 0)).toBeCloseTo(0, 6);

      // Killed while it waits for its trainer; status then reads the store and says so.
      start.kill('SIGKILL');
      await exited(start);
      const killed = await runCli(['rl', 'status', id, '--json'], { env });
      expect(killed.code, killed.stderr).toBe(0);
      expect(JSON.parse(killed.stdout)).toMatchObject({ id, state: 'interrupted', policy_version: 0, epoch: 0 });
      expect(JSON.parse(killed.stdout).epochs).toHaveLength(1);
      const experimentsBefore = JSON.parse((await runCli(['status', '--json'], { env })).stdout).counts.experiments;
      expect(experimentsBefore).toBe(2);

      // The external trainer answers; resume carries on from training, samples epoch 1 from the new model.
      await writeFile(join(exportDir, 'epoch-0.ready.json'), JSON.stringify({ model: 'policy-v1' }));
      const resume = spawnCli(['rl', 'resume', id, '--json'], env);
      await expect
        .poll(() => existsSync(join(exportDir, 'epoch-1.jsonl')), { timeout: 240_000, interval: 250 })
        .toBe(true);
      const live = await runCli(['rl', 'status', id, '--json'], { env });
      expect(live.code, live.stderr).toBe(0);
      expect(JSON.parse(live.stdout)).toMatchObject({ id, state: 'running', policy_version: 1, model: 'policy-v1' });
      const advance = await runCli(['rl', 'advance', id, '--model', 'policy-v2'], { env });
      expect(advance.stdout, advance.stderr).toMatch(/epoch 1 trained; the policy is now policy-v2/);
      expect(await exited(resume), resume.out.stderr).toBe(0);

      const epochLines = resume.out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(epochLines.map((l) => l.epoch)).toEqual([0, 1]);
      for (const key of [
        'mean_reward',
        'max_reward',
        'execution_rate',
        'duplicate_share',
        'distinct_ideas',
        'mean_jaccard',
        'thinking_tokens',
      ]) {
        expect(epochLines[1][key], key).toBeTypeOf('number');
      }
      expect(epochLines[0].execution_rate).toBe(0.5);

      // Nothing ran twice: 8 samples (4 per epoch, from the model each epoch was on), 4 experiments.
      expect(policyModels).toEqual([...Array(4).fill('policy-v0'), ...Array(4).fill('policy-v1')]);
      expect(JSON.parse((await runCli(['status', '--json'], { env })).stdout).counts.experiments).toBe(4);

      const list = await runCli(['rl', 'list', '--json'], { env });
      expect(JSON.parse(list.stdout)).toEqual([{ id, state: 'succeeded', environment: 'tiny-lm', epoch: 2 }]);
      const status = JSON.parse((await runCli(['rl', 'status', id, '--json'], { env })).stdout);
      expect(status).toMatchObject({ id, state: 'succeeded', policy_version: 2, model: 'policy-v2' });
      expect(status.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([0, 1]);
    }, 600_000);

    it('refuses bad input with codes: unknown run, unknown mitigation, unknown trainer, missing flags', async () => {
      const env = { PATH: process.env.PATH, GROUNDWORK_HOME: await tempDir() };
      const unknownRun = await runCli(['rl', 'status', 'rl_nope'], { env });
      expect(unknownRun.code).toBe(1);
      expect(unknownRun.stderr).toMatch(/no RL run rl_nope.*\[not_found\]/);
      const mitigation = await runCli(['rl', 'simulate', '--mitigation', 'magic'], { env });
      expect(mitigation.code).toBe(2);
      expect(mitigation.stderr).toMatch(
        /unknown mitigation "magic"; valid: dynamic-prompt, length-reward, diversity-penalty, risk-seeking/,
      );
      const trainer = await runCli(
        [
          'rl',
          'start',
          '--environment',
          'tiny-lm',
          '--policy-url',
          'http://127.0.0.1:1/v1',
          '--model',
          'm',
          '--trainer',
          'tinker',
        ],
        { env },
      );
      expect(trainer.stderr).toMatch(/unknown trainer "tinker"; valid: export, python \[bad_input\]/);
      const missing = await runCli(['rl', 'start', '--environment', 'tiny-lm'], { env });
      expect(missing.stderr).toMatch(/rl start needs --policy-url/);
      const advance = await runCli(['rl', 'advance', 'rl_nope', '--model', 'x'], { env });
      expect(advance.stderr).toMatch(/\[not_found\]/);
      const sub = await runCli(['rl', 'frobnicate'], { env });
      expect(sub.stderr).toMatch(
        /unknown rl subcommand "frobnicate"; valid: simulate, start, resume, status, advance, list/,
      );
    });
  },
);
