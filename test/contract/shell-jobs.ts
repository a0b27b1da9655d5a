// Contract jobs as POSIX shell commands, for executors that run real processes (local, docker, slurm).
import type { ContractJob } from './executor.contract.js';

export function shellCommand(job: ContractJob): string[] {
  if (job.kind === 'sleep') return ['/bin/sh', '-c', `sleep ${job.seconds}`];
  if (job.kind === 'print-env') {
    return ['/bin/sh', '-c', job.names.map((name) => `echo "${name}=\${${name}:-}"`).join('; ')];
  }
  return ['/bin/sh', '-c', `echo '${job.text}'; exit ${job.code}`];
}
