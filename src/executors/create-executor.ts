// The executor the configuration asks for: local child processes, Docker containers, or Slurm jobs.
import type { Config } from '../config/schema.js';
import { ResearchError } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';
import { createLocalRunner, createSshRunner } from './command-runner.js';
import { createDockerExecutor } from './docker.js';
import type { Executor } from './executor.js';
import { createLocalExecutor } from './local.js';
import { createSlurmExecutor } from './slurm.js';

export function createExecutor(config: Config, log: Logger): Executor {
  const { executor } = config;
  switch (executor.kind) {
    case 'local':
      return createLocalExecutor({
        killGraceSec: config.scheduler.killGraceSec,
        isolateNetwork: executor.isolateNetwork,
        sandbox: executor.local.sandbox,
        bwrapPath: executor.local.bwrapPath,
        dataDir: config.home,
      });
    case 'docker':
      return createDockerExecutor({
        socketPath: executor.docker.socketPath,
        image: executor.docker.image ?? 'groundwork/cpu:latest',
        shmSizeGiB: executor.docker.shmSizeGiB,
        pidsLimit: executor.docker.pidsLimit,
        gpuDriver: executor.docker.gpuDriver,
        killGraceSec: config.scheduler.killGraceSec,
        scope: config.home,
        dataDir: config.home,
        log,
      });
    case 'slurm':
      if (!executor.slurm.sharedDir) {
        throw new ResearchError(
          'config_invalid',
          'executor.slurm.sharedDir is required: a folder this machine and every compute node see at the same path',
        );
      }
      return createSlurmExecutor({
        runner: executor.slurm.sshHost ? createSshRunner(executor.slurm.sshHost) : createLocalRunner(),
        partition: executor.slurm.partition,
        account: executor.slurm.account,
        extraArgs: executor.slurm.extraArgs,
        pollIntervalSec: executor.slurm.pollIntervalSec,
        scope: config.home,
        dataDir: config.home,
        log,
      });
  }
}
