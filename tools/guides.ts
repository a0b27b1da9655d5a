// The `summary` / `next` / links of results that several tools share (an experiment's reward, a search).
import type { z } from 'zod';

import { MAX_WAIT_SECONDS } from '../src/domain/limits.js';
import {
  experimentDiffUri,
  experimentLogUri,
  experimentUri,
  implementationDiffUri,
  searchUri,
} from '../src/domain/resource-uris.js';
import { isActive } from '../src/domain/states.js';
import type { RewardShape, SearchShape } from '../src/services/views.js';
import type { ToolGuide, ToolLink } from './define-tool.js';
import { num, signed } from './text.js';

/** How long a suggested poll waits: long enough to see progress, short of every client's timeout. */
export const POLL_SECONDS = 30;

type Reward = Pick<
  z.output<typeof RewardShape>,
  'experiment_id' | 'status' | 'environment' | 'profile' | 'metric' | 'reward' | 'baseline' | 'failure'
>;

export function rewardGuide(reward: Reward): ToolGuide {
  const id = reward.experiment_id;
  const head = `Experiment ${id} (${reward.environment}, profile ${reward.profile}) ${isActive({ state: reward.status }) ? 'is ' : ''}${reward.status}`;
  if (isActive({ state: reward.status })) {
    return {
      summary: `${head}; it has not ended yet. Call get_reward again with wait_seconds (at most ${MAX_WAIT_SECONDS}) to wait for the result.`,
      next: { tool: 'get_reward', arguments: { experiment_id: id, wait_seconds: POLL_SECONDS } },
    };
  }
  if (reward.failure) {
    return {
      summary: `${head}: ${reward.failure.category}: ${reward.failure.message.slice(0, 300)}. The log is at ${experimentLogUri(id)}; fix the idea's code with implement_idea and run it again.`,
    };
  }
  const parts = [head];
  if (reward.metric) parts.push(`${reward.metric.name} = ${num(reward.metric.value)}`);
  if (reward.reward !== undefined) parts.push(`reward ${num(reward.reward, 6)}`);
  if (reward.baseline) {
    parts.push(
      `delta ${signed(reward.baseline.delta)} from the baseline ${num(reward.baseline.value)} (${reward.baseline.improved ? 'better' : 'not better'}${reward.baseline.beyond_noise === false ? ', within seed noise' : ''})`,
    );
  } else if (reward.status === 'succeeded') {
    parts.push(`no baseline comparison for profile "${reward.profile}"`);
  }
  return {
    summary: `${parts.join(', ')}. Compare with get_leaderboard, or build on it with propose_idea (parent_ids).`,
    ...(reward.status === 'succeeded'
      ? { next: { tool: 'get_leaderboard', arguments: { environment: reward.environment } } }
      : {}),
  };
}

export function experimentLinks(id: string): ToolLink[] {
  return [
    { uri: experimentUri(id), name: `experiment ${id}`, mimeType: 'application/json', description: 'state and reward' },
    {
      uri: experimentLogUri(id),
      name: `logs of ${id}`,
      mimeType: 'text/plain',
      description: 'training and evaluation logs',
    },
    {
      uri: experimentDiffUri(id),
      name: `diff of ${id}`,
      mimeType: 'text/x-diff',
      description: 'the code change it ran',
    },
  ];
}

export function implementationLinks(id: string): ToolLink[] {
  return [
    { uri: implementationDiffUri(id), name: `diff of ${id}`, mimeType: 'text/x-diff', description: 'the full diff' },
  ];
}

type Search = Pick<
  z.output<typeof SearchShape>,
  'search_id' | 'status' | 'strategy' | 'environment' | 'epoch' | 'experiments' | 'error'
>;

export function searchGuide(search: Search, extra = ''): ToolGuide {
  const head = `Search ${search.search_id} (${search.strategy} on ${search.environment}) is ${search.status}: epoch ${search.epoch}, ${search.experiments} experiment(s)${extra}`;
  if (isActive({ state: search.status })) {
    return {
      summary: `${head}. It runs unattended: call get_search with wait_seconds to follow it, cancel_search to stop it.`,
      next: { tool: 'get_search', arguments: { search_id: search.search_id, wait_seconds: POLL_SECONDS } },
    };
  }
  return {
    summary: `${head}${search.error ? `; error: ${search.error.slice(0, 300)}` : ''}. get_leaderboard ranks its experiments.`,
    next: { tool: 'get_leaderboard', arguments: { search_id: search.search_id } },
  };
}

export function searchLinks(id: string): ToolLink[] {
  return [
    { uri: searchUri(id), name: `search ${id}`, mimeType: 'application/json', description: 'state and leaderboard' },
  ];
}
