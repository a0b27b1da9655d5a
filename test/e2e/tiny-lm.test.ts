// Real training: tiny-lm's smoke profile through the whole pipeline (edit → pre-flight → train → frozen
// evaluation → reward), and the built demo end to end. Skipped, not passed, without Debian's torch.
import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestServer, hasTorch } from '../helpers/test-server.js';

describe.skipIf(!hasTorch)('tiny-lm with real PyTorch', () => {
  it('trains, evaluates in a separate step, and rewards a knob edit', async () => {
    const server = await createTestServer({ config: { preflight: { smoke: false } } });
    try {
      const [idea] = await server.services.proposeIdeas({ environment: 'tiny-lm', count: 1, seed: 5 });
      expect(idea?.knobs).toBeDefined();
      const implementation = await server.services.implementIdea({ ideaId: idea?.id });
      expect(implementation.status).toBe('ready');
      expect(implementation.filesChanged.length).toBeGreaterThan(0);
      const queued = await server.services.runExperiment({
        implementationId: implementation.id,
        profile: 'smoke',
        seeds: [0, 1],
      });
      const experiment = await server.services.waitForExperiment(queued.id, 120_000);
      expect(experiment.state, JSON.stringify(experiment.failure)).toBe('succeeded');
      const { metric } = experiment.result ?? {};
      expect(metric?.name).toBe('val_loss');
      expect(metric?.value).toBeGreaterThan(0.5);
      expect(metric?.value).toBeLessThan(6);
      expect(metric?.seeds).toBe(2);
      expect(experiment.result?.reward).toBeCloseTo(1 / (metric?.value as number), 9);
    } finally {
      await server.close();
    }
  });

  it('catches an edit that lets the model see future characters', async () => {
    const server = await createTestServer({ config: { preflight: { smoke: false } } });
    try {
      const { readFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const environment = await server.services.getEnvironment('tiny-lm');
      const model = await readFile(join(environment.dir, 'model.py'), 'utf8');
      const maskLine = model.split('\n').find((line) => /masked_fill/.test(line));
      expect(maskLine, 'model.py applies its causal mask with masked_fill').toBeDefined();
      const indent = maskLine?.match(/^\s*/)?.[0] ?? '';
      const edit = `model.py\n<<<<<<< SEARCH\n${maskLine}\n=======\n${indent}pass  # attend to every position, future included\n>>>>>>> REPLACE\n`;
      const implementation = await server.services.implementIdea({
        idea: { text: 'remove the causal mask' },
        environment: 'tiny-lm',
        edit,
      });
      expect(implementation.status, implementation.error?.message).toBe('ready');
      const queued = await server.services.runExperiment({ implementationId: implementation.id, profile: 'smoke' });
      const experiment = await server.services.waitForExperiment(queued.id, 120_000);
      expect(experiment.state).toBe('failed');
      expect(experiment.failure?.category).toBe('suspicious');
      expect(experiment.failure?.message).toMatch(/causal/i);
    } finally {
      await server.close();
    }
  });

  it('runs the demo from the built CLI and ends with a leaderboard', async () => {
    const home = await tempDir();
    const result = await runCli(['demo', '--epochs', '2', '--batch-size', '2', '--profile', 'smoke', '--home', home], {
      env: { GROUNDWORK_PYTHON: '/usr/bin/python3' },
      timeoutMs: 300_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Leaderboard \(val_loss, lower is better/);
    expect(result.stdout).toMatch(/baseline \(3 seeds, default profile\)/);
    expect(result.stdout).toMatch(/search succeeded in .*; 4 experiments/);
    const status = await runCli(['status', '--home', home, '--json']);
    const parsed = JSON.parse(status.stdout) as { counts: Record<string, number> };
    expect(parsed.counts.experiments).toBe(4);
    expect(parsed.counts.searches).toBe(1);
  });
});
