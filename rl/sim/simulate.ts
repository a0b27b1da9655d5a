// `groundwork rl simulate`: the real loop, advantages, metrics and trainer seam on a simulated policy and landscape.
import type { RlEpoch, RlRun } from '../../src/domain/rl-records.js';
import type { Store } from '../../src/store/store.js';
import { runLoop } from '../loop.js';
import { mitigationSpecs, parseMitigations } from '../mitigations.js';
import { createRun, memoryBlobs, runEpochs } from '../run-store.js';
import { TEMPLATES } from './landscape.js';
import { createSimEvaluator } from './sim-evaluator.js';
import { createSimModel, createSimPolicy, type SimModel } from './sim-policy.js';
import { createSimTrainer, SIM_LEARNING_RATE } from './sim-trainer.js';

export interface SimulateOptions {
  /** Where the run's records go (an in-memory store: a simulation leaves nothing behind). */
  store: Store;
  epochs: number;
  groupSize: number;
  groups?: number;
  /** Mitigation specs (`name` or `name=value`). */
  mitigations?: string[];
  seed?: number;
  learningRate?: number;
  onEpoch?: (epoch: RlEpoch, run: RlRun) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface SimulationResult {
  run: RlRun;
  epochs: RlEpoch[];
  model: SimModel;
}

export const SIMULATION_PROMPT = {
  system: 'You are a machine-learning research scientist.',
  user: 'Propose one research idea that lowers val_loss of the baseline training code. Think first, then write it as [Title] … [Experiment] … [Code Changes] … [End].',
};

export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  const seed = options.seed ?? 0;
  const mitigations = parseMitigations(options.mitigations ?? []);
  const { store } = options;
  const model = createSimModel(TEMPLATES);
  const run = await createRun(store, {
    environment: 'simulation',
    options: {
      groupSize: options.groupSize,
      groups: options.groups ?? 1,
      epochs: options.epochs,
      profile: 'simulated',
      seed,
      mitigations: mitigationSpecs(mitigations),
      policy: { kind: 'simulated', model: 'simulated-v0' },
      trainer: { kind: 'simulated', settings: { learningRate: options.learningRate ?? SIM_LEARNING_RATE } },
    },
  });
  const finished = await runLoop(
    {
      store,
      blobs: memoryBlobs(),
      policy: createSimPolicy(model, seed),
      evaluator: createSimEvaluator(TEMPLATES, seed),
      trainer: createSimTrainer(model, options.learningRate),
      basePrompt: SIMULATION_PROMPT,
      concurrency: 8,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    },
    run.id,
  );
  return { run: finished, epochs: await runEpochs(store, run.id), model };
}
