// Mitigations of mode collapse, as options: what each one changes (prompt, reward or advantage), and by how much.
import { ResearchError } from '../src/domain/errors.js';
import { grpoAdvantages, riskSeekingAdvantages } from './advantages.js';
import { maxJaccardTo, meanJaccardTo, tokenSet } from './tokens.js';

export interface MitigationInfo {
  changes: 'prompt' | 'reward' | 'advantage';
  /** The strength used when the option names no value (`name=value` sets it). */
  defaultValue: number;
  summary: string;
}

export const MITIGATIONS = {
  'dynamic-prompt': {
    changes: 'prompt',
    defaultValue: 8,
    summary: 'the prompt shows N random ideas of the previous epoch with their rewards (paper A.1)',
  },
  'length-reward': {
    changes: 'reward',
    defaultValue: 1e-4,
    summary: 'adds value × tokens of the whole rollout, capped at 0.3 (paper A.1)',
  },
  'diversity-penalty': {
    changes: 'reward',
    defaultValue: 0.5,
    summary: "subtracts value × the idea's mean token Jaccard similarity to the previous epoch's ideas (paper A.1)",
  },
  'risk-seeking': {
    changes: 'advantage',
    defaultValue: 0.75,
    summary: "only ideas above the group's value-quantile get an advantage (r − r_q)/std; the rest get 0",
  },
  'novelty-weighted': {
    changes: 'reward',
    defaultValue: 1,
    summary: "multiplies an executed idea's reward by 1 + value × (1 − its highest Jaccard to the previous epoch)",
  },
} as const satisfies Record<string, MitigationInfo>;

export type MitigationName = keyof typeof MITIGATIONS;
export const MITIGATION_NAMES = Object.keys(MITIGATIONS) as MitigationName[];
export const LENGTH_REWARD_CAP = 0.3;

/** Mitigations chosen, with their strengths. */
export type Mitigations = Partial<Record<MitigationName, number>>;

/** `name` or `name=value`, each at most once; unknown names are refused with the list of valid ones. */
export function parseMitigations(specs: readonly string[]): Mitigations {
  const chosen: Mitigations = {};
  for (const spec of specs) {
    const [name = '', raw] = spec.split('=', 2);
    if (!(name in MITIGATIONS)) {
      throw new ResearchError(
        'bad_input',
        `unknown mitigation "${name}"; valid: ${MITIGATION_NAMES.join(', ')} (optionally name=value)`,
      );
    }
    const key = name as MitigationName;
    const value = raw === undefined ? MITIGATIONS[key].defaultValue : Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw new ResearchError('bad_input', `mitigation ${name} needs a non-negative number after "="; got "${raw}"`);
    }
    if (key === 'risk-seeking' && value >= 1) throw new ResearchError('bad_input', 'risk-seeking=q needs 0 ≤ q < 1');
    chosen[key] = value;
  }
  return chosen;
}

/** The canonical `name=value` strings stored with a run. */
export function mitigationSpecs(mitigations: Mitigations): string[] {
  return Object.entries(mitigations).map(([name, value]) => `${name}=${value}`);
}

export interface ShapingInput {
  reward: number;
  executed: boolean;
  /** Tokens of the whole rollout (thinking and answer). */
  tokens: number;
  ideaText?: string;
}

/** The reward the advantages see: execution reward, reweighted for novelty, plus length reward, minus diversity penalty. */
export function shapeRewards(
  rollouts: readonly ShapingInput[],
  previousIdeas: readonly string[],
  mitigations: Mitigations,
): number[] {
  const previous = previousIdeas.map(tokenSet);
  return rollouts.map((rollout) => {
    const tokens = rollout.ideaText === undefined ? undefined : tokenSet(rollout.ideaText);
    let shaped = rollout.reward;
    const novelty = mitigations['novelty-weighted'];
    if (novelty !== undefined && rollout.executed && tokens && previous.length > 0) {
      shaped *= 1 + novelty * (1 - maxJaccardTo(tokens, previous));
    }
    const perToken = mitigations['length-reward'];
    if (perToken !== undefined) shaped += Math.min(LENGTH_REWARD_CAP, perToken * rollout.tokens);
    const penalty = mitigations['diversity-penalty'];
    if (penalty !== undefined && tokens) shaped -= penalty * meanJaccardTo(tokens, previous);
    return shaped;
  });
}

/** The advantage function of one group under the chosen mitigations. */
export function advantageFunction(mitigations: Mitigations): (rewards: readonly number[]) => number[] {
  const q = mitigations['risk-seeking'];
  return q === undefined ? (rewards) => grpoAdvantages(rewards) : (rewards) => riskSeekingAdvantages(rewards, q);
}
