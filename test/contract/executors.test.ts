// Runs the executor contract against the implementations that need no engine (docker and slurm: test/engines).
import { createFakeExecutor } from '../../src/executors/fake.js';
import { createLocalExecutor } from '../../src/executors/local.js';
import { probeBwrap } from '../../src/executors/local-sandbox.js';
import { type ContractJob, runExecutorContract } from './executor.contract.js';
import { shellCommand } from './shell-jobs.js';

runExecutorContract('local', () => ({
  // Under bubblewrap where it runs (as in production), else unsandboxed rather than refused.
  executor: createLocalExecutor({
    killGraceSec: 1,
    isolateNetwork: 'auto',
    sandbox: probeBwrap('bwrap') === undefined ? 'bwrap' : 'off',
  }),
  command: shellCommand,
}));

runExecutorContract('fake', () => ({
  executor: createFakeExecutor((spec) => {
    const job = JSON.parse(spec.command[0] as string) as ContractJob;
    if (job.kind === 'sleep') {
      return spec.timeLimitSec < job.seconds
        ? { delayMs: spec.timeLimitSec * 1000, timedOut: true, exitCode: 143 }
        : { delayMs: job.seconds * 1000 };
    }
    if (job.kind === 'print-env') {
      const visible: Record<string, string> = { ...spec.env, CUDA_VISIBLE_DEVICES: spec.devices.join(',') };
      return { log: job.names.map((name) => `${name}=${visible[name] ?? ''}\n`).join('') };
    }
    return { log: `${job.text}\n`, exitCode: job.code };
  }),
  command: (job) => [JSON.stringify(job)],
}));
