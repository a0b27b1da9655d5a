// The full stack in-process on a temp data directory, with the fixture environments and the real local executor.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { loadConfig, type ConfigOverrides } from '../../src/config/load-config.js';
import { createResearchServer, type ResearchServer, type ServerOverrides } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from './temp-dir.js';

export const FIXTURE_ENVIRONMENTS = resolve(import.meta.dirname, '../fixtures/environments');
export const BUNDLED_ENVIRONMENTS = resolve(import.meta.dirname, '../../environments');

/** True when Debian's torch is there for real-training tests. */
export const hasTorch =
  existsSync('/usr/bin/python3') &&
  (await import('node:child_process')).spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy']).status === 0;

export async function createTestServer(
  options: { config?: ConfigOverrides; overrides?: ServerOverrides; home?: string } = {},
): Promise<ResearchServer & { home: string }> {
  const home = options.home ?? (await tempDir());
  const config = loadConfig({
    env: {},
    configFile: null,
    overrides: {
      home,
      environmentDirs: [FIXTURE_ENVIRONMENTS, BUNDLED_ENVIRONMENTS],
      python: ['/usr/bin/python3', 'python3'],
      jobEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      // Schedules tick every second in tests; the default (60 s) is checked where it matters.
      confirm: { gpuHours: 4, usd: 5, minScheduleIntervalSec: 1 },
      ...options.config,
    },
  });
  const server = await createResearchServer(config, { log: silentLogger, ...options.overrides });
  return Object.assign(server, { home });
}
