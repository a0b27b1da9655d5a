// `groundwork env check`: an environment's unchanged code through the real pipeline, from the built CLI.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { BUNDLED_ENVIRONMENTS, FIXTURE_ENVIRONMENTS, hasTorch } from '../helpers/test-server.js';

async function cliEnv(config: Record<string, unknown> = {}) {
  const home = await tempDir();
  await writeFile(join(home, 'config.json'), JSON.stringify({ python: ['/usr/bin/python3', 'python3'], ...config }));
  return { GROUNDWORK_HOME: home, GROUNDWORK_ENVIRONMENTS: `${FIXTURE_ENVIRONMENTS}:${BUNDLED_ENVIRONMENTS}` };
}

describe('groundwork env check', () => {
  it.skipIf(!hasTorch)('runs tiny-lm’s smoke profile and prints the metric', async () => {
    const result = await runCli(['env', 'check', 'tiny-lm', '--profile', 'smoke'], { env: await cliEnv() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ok in \d+s: val_loss \d\.\d+ \(reward 0\.\d+\)/);
    expect(result.stdout).toMatch(/reference: bigram/);
  });

  it('prints JSON with --json, and runs several seeds', async () => {
    const result = await runCli(['env', 'check', 'noop', '--seeds', '0,1', '--json'], { env: await cliEnv() });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { state: string; result: { metric: { value: number; seeds: number } } };
    expect(report.state).toBe('succeeded');
    expect(report.result.metric).toMatchObject({ value: 1, seeds: 2 });
  });

  it('fails clearly when the profile needs GPUs this machine lacks', async () => {
    const result = await runCli(['env', 'check', 'gpu-noop'], { env: await cliEnv({ scheduler: { gpus: 0 } }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/needs 1 GPU but groundwork has none/);
    expect(result.stderr).toMatch(/smoke|scheduler\.gpus/);
  });

  it('names the known environments for an unknown one, and rejects bad seeds', async () => {
    const unknown = await runCli(['env', 'check', 'nope'], { env: await cliEnv() });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown environment "nope"; known: .*toy/);
    const seeds = await runCli(['env', 'check', 'noop', '--seeds', 'a,b'], { env: await cliEnv() });
    expect(seeds.code).not.toBe(0);
    expect(seeds.stderr).toMatch(/--seeds must be/);
  });
});
