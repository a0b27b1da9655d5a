// Runs the executor contract against every implementation available here.
import { createFakeExecutor } from '../../src/executors/fake.js';
import { createLocalExecutor } from '../../src/executors/local.js';
import { type ContractJob, runExecutorContract } from './executor.contract.js';

function shell(job: ContractJob): string[] {
  if (job.kind === 'sleep') return ['/bin/sh', '-c', `sleep ${job.seconds}`];
  return ['/bin/sh', '-c', `echo '${job.text}'; exit ${job.code}`];
}

runExecutorContract('local', () => ({
  executor: createLocalExecutor({ killGraceSec: 1, isolateNetwork: 'auto' }),
  command: shell,
}));

runExecutorContract('fake', () => ({
  executor: createFakeExecutor((spec) => {
    const job = JSON.parse(spec.command[0] as string) as ContractJob;
    return job.kind === 'sleep' ? { delayMs: job.seconds * 1000 } : { log: `${job.text}\n`, exitCode: job.code };
  }),
  command: (job) => [JSON.stringify(job)],
}));
