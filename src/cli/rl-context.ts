// Composition for `groundwork rl`: what an RL run needs from the stack (prompt, policy endpoint, trainer jobs).
import type { RlContext } from '../../rl/start.js';
import type { JobOutcome, TrainerJob } from '../../rl/trainers/python-trainer.js';
import { DEFAULT_PRICES } from '../config/llm-schema.js';
import { readEditableFiles } from '../environments/environment-files.js';
import { createExecutor } from '../executors/create-executor.js';
import type { Executor } from '../executors/executor.js';
import { seedPrompt } from '../ideation/prompts/seed.js';
import { metered } from '../llm/call-meter.js';
import { createOpenAIProvider } from '../llm/openai.js';
import { retrying } from '../llm/with-retry.js';
import { resolveGpuIds } from '../scheduler/detect-gpus.js';
import type { ResearchServer } from '../server.js';

/** The RL context over an open stack; `close` stops the trainer's executor if a job ever needed one. */
export function rlContext(
  server: ResearchServer,
  env: NodeJS.ProcessEnv,
): { context: RlContext; close(): Promise<void> } {
  const { config, store, services, log } = server;
  let executor: Executor | undefined;
  const runJob = async (job: TrainerJob, signal?: AbortSignal): Promise<JobOutcome> => {
    executor ??= createExecutor(config, log.child('rl-trainer'));
    const devices = executor.managesDevices ? [] : resolveGpuIds(config.scheduler.gpus).slice(0, job.gpus);
    const handle = await executor.start({
      jobId: job.jobId,
      command: job.command,
      cwd: job.cwd,
      env: job.env,
      logPath: job.logPath,
      timeLimitSec: job.timeLimitSec,
      writable: job.writable,
      readOnly: job.readOnly,
      resources: { gpus: job.gpus, cpus: 8, memoryGiB: 64, timeLimitSec: job.timeLimitSec, evaluateTimeLimitSec: 600 },
      devices,
    });
    const cancel = (): void => void executor?.cancel(handle).catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const exit = await executor.wait(handle);
      return { exitCode: exit.exitCode, signal: exit.signal, timedOut: exit.timedOut };
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  };
  const apiKey = env.GROUNDWORK_POLICY_API_KEY;
  const context: RlContext = {
    services,
    store,
    home: config.home,
    async basePrompt(name) {
      const environment = await services.getEnvironment(name);
      const files = await readEditableFiles(environment);
      return seedPrompt({ manifest: environment.manifest, files, count: 1, avoid: [] });
    },
    policyProvider: (url, model) =>
      retrying(
        metered(
          createOpenAIProvider({
            model,
            baseUrl: url,
            ...(apiKey ? { apiKey } : {}),
            timeoutMs: config.llm.timeoutMs,
            log: log.child('rl-policy'),
          }),
          {
            sink: { record: (call) => store.llmCalls.put(call) },
            prices: { ...DEFAULT_PRICES, ...config.llm.prices },
            log,
          },
        ),
        { maxRetries: config.llm.maxRetries },
      ),
    runJob,
    python: config.python[0] as string,
    jobEnv: config.jobEnv,
    concurrency: config.llm.maxConcurrentCalls,
  };
  return { context, close: async () => executor?.close() };
}
