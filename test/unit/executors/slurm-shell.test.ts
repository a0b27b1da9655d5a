// What reaches the shell: the sbatch batch script, and the local and ssh command runners that carry Slurm's commands.
import { spawnSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createLocalRunner, createSshRunner, shellQuote } from '../../../src/executors/command-runner.js';
import { batchScript } from '../../../src/executors/slurm-script.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { jobSpec } from './slurm-fixture.js';

describe('the batch script', () => {
  it('asks for the job’s resources in #SBATCH lines', async () => {
    const spec = await jobSpec();
    const script = batchScript(spec, { partition: 'gpu', account: 'lab', extraArgs: ['--qos=high'] });
    const options = script.split('\n').filter((line) => line.startsWith('#SBATCH '));
    expect(options).toEqual([
      '#SBATCH --job-name=exp_job',
      `#SBATCH --output=${spec.logPath}`,
      `#SBATCH --chdir=${spec.cwd}`,
      '#SBATCH --nodes=1',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=1536',
      '#SBATCH --time=2',
      '#SBATCH --gres=gpu:2',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab',
      '#SBATCH --qos=high',
      '#SBATCH --export=NONE',
    ]);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script.trimEnd().split('\n').at(-1)).toBe(`exec python3 train.py --name 'it'\\''s'`);
  });

  it('asks for no GPU for a CPU job and hides the devices from it', async () => {
    const script = batchScript(
      await jobSpec({ resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60 } }),
      { extraArgs: [] },
    );
    expect(script).not.toContain('--gres');
    expect(script).toContain('export CUDA_VISIBLE_DEVICES=\n');
  });

  it('quotes paths for sbatch: spaces in double quotes, `%` doubled', async () => {
    const script = batchScript(await jobSpec({ cwd: '/shared/my runs/a', logPath: '/shared/100%/log #1.txt' }), {
      extraArgs: [],
    });
    expect(script).toContain('#SBATCH --chdir="/shared/my runs/a"\n');
    expect(script).toContain('#SBATCH --output="/shared/100%%/log #1.txt"\n');
  });

  it('refuses what it cannot pass on safely', async () => {
    await expect(
      jobSpec({ cwd: '/shared/say "hi"' }).then((spec) => batchScript(spec, { extraArgs: [] })),
    ).rejects.toThrow(/double quote/);
    await expect(
      jobSpec({ env: { 'NOT-A-NAME': 'x' } }).then((spec) => batchScript(spec, { extraArgs: [] })),
    ).rejects.toThrow(/not valid in a shell/);
  });

  it('gives the job exactly its environment, whatever the values hold, plus Slurm’s own variables', async () => {
    const tricky = {
      QUOTES: `it's "quoted"`,
      SPACES: '  two  spaces  ',
      DOLLARS: '$HOME ${PATH} $(echo no) `echo no`',
      BACKSLASH: 'a\\b\\\\c\\',
      NEWLINE: 'line one\nline two',
      EMPTY: '',
    };
    const spec = await jobSpec({
      command: [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'],
      env: { PATH: '/usr/bin:/bin', ...tricky },
      resources: { gpus: 1, cpus: 1, memoryGiB: 1, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
    });
    const script = batchScript(spec, { extraArgs: [] });
    // Run it as slurmd would: bash, in a login environment holding a secret, with Slurm's variables added.
    // (stdin not a socket: Debian's bash would read ~/.bashrc, taking us for sshd.)
    const ran = spawnSync('bash', ['-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin', OPENAI_API_KEY: 'sk-secret', SLURM_JOB_ID: '42', CUDA_VISIBLE_DEVICES: '1' },
      encoding: 'utf8',
    });
    expect(ran.stderr).toBe('');
    const seen = JSON.parse(ran.stdout) as Record<string, string>;
    expect(seen).toMatchObject({ ...tricky, SLURM_JOB_ID: '42', CUDA_VISIBLE_DEVICES: '1' });
    expect(seen.OPENAI_API_KEY).toBeUndefined();
    // Nothing else but what the shell itself may set.
    const expected = [...Object.keys(spec.env), 'SLURM_JOB_ID', 'CUDA_VISIBLE_DEVICES'];
    const extra = Object.keys(seen).filter((name) => !expected.includes(name));
    expect(extra.filter((name) => !['PWD', 'SHLVL', '_'].includes(name))).toEqual([]);
  });
});

describe('command runners', () => {
  const tricky = [
    "it's",
    'two  spaces',
    '$HOME',
    '`id`',
    '"double"',
    'back\\slash',
    'new\nline',
    '*',
    '',
    '-n',
    ';|&><',
  ];

  it('quotes arguments for a POSIX shell', () => {
    for (const argument of tricky) {
      const echoed = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(argument)}`], { encoding: 'utf8' });
      expect(echoed.stdout).toBe(argument);
    }
    expect(shellQuote('plain/path-1.txt')).toBe('plain/path-1.txt');
  });

  it('runs commands over ssh with every argument intact (a fake ssh on PATH runs them here)', async () => {
    const bin = await tempDir();
    const record = join(bin, 'ssh-args');
    // Like ssh: the words after `--` are joined with spaces and handed to a shell.
    await writeFile(
      join(bin, 'ssh'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\nwhile [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done\nshift\nexec /bin/sh -c "$*"\n`,
    );
    await chmod(join(bin, 'ssh'), 0o755);
    const runner = createSshRunner('me@login', { env: { PATH: `${bin}:/usr/bin:/bin` }, sshArgs: ['-p', '2222'] });
    const result = await runner.run(['printf', '%s\\0', ...tricky]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(tricky);
    expect((await readFile(record, 'utf8')).split('\n').slice(0, 6)).toEqual([
      '-o',
      'BatchMode=yes',
      '-p',
      '2222',
      'me@login',
      '--',
    ]);
    expect(await runner.run(['cat'], { input: 'the script\n' })).toMatchObject({ code: 0, stdout: 'the script\n' });
    expect(await runner.run(['sh', '-c', 'exit 3'])).toMatchObject({ code: 3 });
  });

  it('passes on only what Slurm and ssh need from this process’s environment', async () => {
    process.env.GROUNDWORK_RUNNER_SECRET = 'sk-do-not-pass';
    const previous = process.env.SLURM_CONF;
    process.env.SLURM_CONF = '/etc/slurm/test.conf';
    try {
      const result = await createLocalRunner().run(['env']);
      expect(result.stdout).toContain('SLURM_CONF=/etc/slurm/test.conf');
      expect(result.stdout).not.toContain('sk-do-not-pass');
    } finally {
      delete process.env.GROUNDWORK_RUNNER_SECRET;
      if (previous === undefined) delete process.env.SLURM_CONF;
      else process.env.SLURM_CONF = previous;
    }
  });

  it('reports a missing program as 127 and a hung one as 124', async () => {
    expect(await createLocalRunner().run(['groundwork-no-such-program'])).toMatchObject({
      code: 127,
      stderr: expect.stringMatching(/cannot run groundwork-no-such-program/) as unknown,
    });
    const hung = await createLocalRunner({ timeoutSec: 0.2 }).run(['sleep', '5']);
    expect(hung).toMatchObject({ code: 124, stderr: expect.stringMatching(/did not finish within 0.2 s/) as unknown });
  });
});
