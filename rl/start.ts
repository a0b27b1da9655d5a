// `groundwork rl start|resume`: an RL run against a real environment, with the policy on an OpenAI-compatible endpoint.
import { join, resolve } from 'node:path';

import { ResearchError } from '../src/domain/errors.js';
import { newId } from '../src/domain/ids.js';
import type { RlEpoch, RlRun } from '../src/domain/rl-records.js';
import type { LlmProvider } from '../src/llm/llm-provider.js';
import type { ResearchServices } from '../src/services/research-services.js';
import type { Store } from '../src/store/store.js';
import { createEndpointPolicy } from './endpoint-policy.js';
import { runLoop } from './loop.js';
import { mitigationSpecs, parseMitigations } from './mitigations.js';
import { createPipelineEvaluator } from './pipeline-evaluator.js';
import type { BasePrompt } from './prompt.js';
import { runDir, runStatusJson, writeRunInfo, writeStatusFile } from './run-files.js';
import { artifactBlobs, createRun, getRun, runEpochs } from './run-store.js';
import { buildTrainer } from './trainer-factory.js';
import type { JobRunner } from './trainers/python-trainer.js';

/** What a run needs from the rest of groundwork; the composition root (src/cli/rl-context.ts) builds it. */
export interface RlContext {
  services: ResearchServices;
  store: Store;
  home: string;
  /** The environment's one-idea ideation prompt (the ideator's epoch-0 prompt, asking for one idea). */
  basePrompt(environment: string): Promise<BasePrompt>;
  /** The provider for `model` on the OpenAI-compatible server at `url`, recorded in the cost ledger. */
  policyProvider(url: string, model: string): LlmProvider;
  runJob: JobRunner;
  python: string;
  jobEnv: Record<string, string>;
  /** Rollouts sampled or evaluated at once. */
  concurrency: number;
}

export interface StartInput {
  environment: string;
  policyUrl: string;
  model: string;
  groupSize: number;
  groups: number;
  epochs: number;
  trainer: 'export' | 'python';
  exportDir?: string;
  profile: string;
  mitigations: string[];
  seed: number;
  maxTokens: number;
  temperature: number;
  /** python trainer: what it loads, where vLLM listens, how many GPUs the step gets. */
  trainerSettings?: Record<string, unknown>;
}

export interface RunHooks {
  signal?: AbortSignal;
  onEpoch?: (epoch: RlEpoch, run: RlRun) => void | Promise<void>;
  onWaiting?: (readyFile: string, epoch: number) => void;
  onStart?: (run: RlRun) => void;
}

export async function startRun(context: RlContext, input: StartInput, hooks: RunHooks = {}): Promise<RlRun> {
  const environment = await context.services.getEnvironment(input.environment);
  const profiles = Object.keys(environment.manifest.profiles);
  if (input.profile !== 'default' && !profiles.includes(input.profile)) {
    throw new ResearchError(
      'bad_input',
      `environment ${input.environment} has no profile "${input.profile}"; profiles: default, ${profiles.join(', ')}`,
    );
  }
  const mitigations = mitigationSpecs(parseMitigations(input.mitigations));
  const id = newId('rl');
  const exportDir = resolve(input.exportDir ?? join(runDir(context.home, id), 'export'));
  const { policyUrl: url, model, maxTokens, temperature } = input;
  const run = await createRun(context.store, {
    id,
    environment: input.environment,
    options: {
      groupSize: input.groupSize,
      groups: input.groups,
      epochs: input.epochs,
      profile: input.profile,
      seed: input.seed,
      mitigations,
      policy: { kind: 'endpoint', model, url, maxTokens, temperature },
      trainer:
        input.trainer === 'export'
          ? { kind: 'export', dir: exportDir }
          : { kind: 'python', settings: input.trainerSettings ?? {} },
    },
  });
  await writeRunInfo(context.home, {
    id,
    environment: input.environment,
    trainer: input.trainer,
    ...(input.trainer === 'export' ? { exportDir } : {}),
  });
  return runWith(context, run, hooks);
}

export async function resumeRun(context: RlContext, id: string, hooks: RunHooks = {}): Promise<RlRun> {
  const run = await getRun(context.store, id);
  if (run.state === 'succeeded') return run;
  if (run.options.policy.kind !== 'endpoint') {
    throw new ResearchError('bad_input', `run ${id} is a ${run.options.policy.kind} run; only endpoint runs resume`);
  }
  return runWith(context, run, hooks);
}

async function runWith(context: RlContext, run: RlRun, hooks: RunHooks): Promise<RlRun> {
  const { store, services, home } = context;
  const { policy } = run.options;
  const trainer = buildTrainer(run, { ...context, ...(hooks.onWaiting ? { onWaiting: hooks.onWaiting } : {}) });
  const mirror = async (current: RlRun): Promise<void> =>
    writeStatusFile(home, runStatusJson(current, await runEpochs(store, current.id)));
  hooks.onStart?.(run);
  return runLoop(
    {
      store,
      blobs: artifactBlobs(home),
      policy: createEndpointPolicy({
        provider: (model) => context.policyProvider(policy.url as string, model),
        maxTokens: policy.maxTokens ?? 8192,
        temperature: policy.temperature ?? 1,
      }),
      evaluator: createPipelineEvaluator({
        services,
        store,
        environment: run.environment,
        profile: run.options.profile,
      }),
      trainer,
      basePrompt: await context.basePrompt(run.environment),
      concurrency: context.concurrency,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onRunChange: mirror,
      onMetrics: (_epoch, current) => mirror(current),
      ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
    },
    run.id,
  );
}
