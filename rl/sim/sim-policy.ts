// A simulated ideator: a softmax over idea templates and over how long it thinks, sampled like a model would be.
import { createRandom, type Random } from '../../src/util/random.js';
import type { Policy, PolicyPrompt, PolicySample } from '../types.js';
import { FRAMINGS, type IdeaTemplate, TEMPLATES } from './landscape.js';

/** Thinking-length multipliers the policy chooses between (a second, independent softmax). */
export const VERBOSITY = [0.5, 1, 2] as const;
/** How much an idea shown in a dynamic prompt moves the model towards it (success) or away from it (failure). */
export const CONTEXT_PULL = 0.5;

/** The policy's parameters; the in-process trainer updates them. */
export interface SimModel {
  templates: readonly IdeaTemplate[];
  logits: number[];
  verbosity: number[];
  version: number;
}

export function createSimModel(templates: readonly IdeaTemplate[] = TEMPLATES): SimModel {
  return { templates, logits: templates.map((t) => t.prior), verbosity: VERBOSITY.map(() => 0), version: 0 };
}

export function softmax(logits: readonly number[]): number[] {
  const top = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

function pick(probabilities: readonly number[], random: Random): number {
  let u = random.next();
  for (const [index, p] of probabilities.entries()) {
    u -= p;
    if (u < 0) return index;
  }
  return probabilities.length - 1;
}

/** The logit shift a prompt's past results cause: shown successes pull, shown failures push away. */
export function contextBias(model: SimModel, prompt: PolicyPrompt): number[] {
  const bias = model.templates.map(() => 0);
  for (const shown of prompt.context) {
    const index = model.templates.findIndex((template) => template.title === shown.title);
    if (index >= 0) bias[index] = (bias[index] as number) + (shown.executed ? CONTEXT_PULL : -CONTEXT_PULL);
  }
  return bias;
}

/** Template probabilities under a prompt. */
export function templateProbabilities(model: SimModel, prompt: PolicyPrompt): number[] {
  const bias = contextBias(model, prompt);
  return softmax(model.logits.map((logit, i) => logit + (bias[i] as number)));
}

function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

export function createSimPolicy(model: SimModel, seed: number): Policy {
  const random = createRandom(seed);
  return {
    kind: 'simulated',
    async sample(prompt: PolicyPrompt): Promise<PolicySample> {
      const index = pick(templateProbabilities(model, prompt), random);
      const verbosity = pick(softmax(model.verbosity), random);
      const template = model.templates[index] as IdeaTemplate;
      const value = random.pick(template.values);
      const framing = random.pick(FRAMINGS);
      const thinkingTokens = Math.max(
        20,
        Math.round(template.thinking * (VERBOSITY[verbosity] as number) * Math.exp(0.3 * gaussian(random))),
      );
      const answer = [
        `[Title] ${template.title}`,
        `[Experiment] ${framing}${template.experiment.replace('{v}', value)}`,
        `[Code Changes] ${template.codeChanges}`,
        '[End]',
      ].join('\n');
      const ideaTokens = Math.ceil(answer.length / 4);
      return {
        completion: `<think>(${thinkingTokens} tokens of reasoning about: ${template.title})</think>\n${answer}`,
        answer,
        thinkingTokens,
        completionTokens: thinkingTokens + ideaTokens,
        meta: { template: index, verbosity },
      };
    },
  };
}
