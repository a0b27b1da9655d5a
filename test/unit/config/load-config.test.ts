import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../../src/config/load-config.js';
import { ResearchError } from '../../../src/domain/errors.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('config', () => {
  it('resolves defaults < file < env < overrides', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ home: 'data', scheduler: { concurrency: 3 }, logLevel: 'warn' }));
    const fromFile = loadConfig({ env: {}, configFile: file });
    expect(fromFile.home).toBe(join(dir, 'data'));
    expect(fromFile.scheduler).toEqual({ concurrency: 3, killGraceSec: 5, gpus: 'auto' });
    const fromEnv = loadConfig({ env: { GROUNDWORK_CONCURRENCY: '2', GROUNDWORK_HOME: dir }, configFile: file });
    expect(fromEnv.scheduler.concurrency).toBe(2);
    expect(fromEnv.home).toBe(dir);
    const fromCli = loadConfig({
      env: { GROUNDWORK_CONCURRENCY: '2' },
      configFile: file,
      overrides: { scheduler: { concurrency: 4 } },
    });
    expect(fromCli.scheduler.concurrency).toBe(4);
  });

  it('names the bad setting', () => {
    const error = (() => {
      try {
        loadConfig({ env: { GROUNDWORK_CONCURRENCY: 'lots' }, configFile: null });
      } catch (caught) {
        return caught;
      }
    })();
    expect(ResearchError.is(error, 'config_invalid')).toBe(true);
    expect((error as Error).message).toMatch(/scheduler\.concurrency/);
  });

  it('refuses a config file that is not JSON, naming it', async () => {
    const file = join(await tempDir(), 'config.json');
    await writeFile(file, 'home = here');
    expect(() => loadConfig({ env: {}, configFile: file })).toThrow(file);
  });

  it('passes jobs only PATH and the locale', () => {
    const config = loadConfig({ env: { PATH: '/bin', OPENAI_API_KEY: 'secret' }, configFile: null });
    expect(config.jobEnv).toEqual({ PATH: '/bin', LANG: 'C.UTF-8' });
  });

  it('keeps the image’s or the node’s PATH for docker and slurm jobs unless one is configured', () => {
    const env = { PATH: '/home/me/bin:/bin' };
    const docker = loadConfig({ env, configFile: null, overrides: { executor: { kind: 'docker' } as never } });
    expect(docker.jobEnv).toEqual({ LANG: 'C.UTF-8' });
    const named = loadConfig({
      env,
      configFile: null,
      overrides: { executor: { kind: 'slurm' } as never, jobEnv: { PATH: '/opt/bin:/bin' } },
    });
    expect(named.jobEnv.PATH).toBe('/opt/bin:/bin');
  });
});
