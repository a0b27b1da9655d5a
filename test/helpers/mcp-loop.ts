// The research loop as an MCP client drives it, shared by the in-memory, stdio and HTTP tests.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';

import { callTool, resourceText, type ToolCall } from './mcp-client.js';

export interface LoopOptions {
  environment: string;
  profile?: string;
  /** The client's own edit: set `variable` in `file` to `value`. */
  knob: { file: string; variable: string; value: string };
  /** Also run the implementer's edit (the search runs one anyway); default true. */
  runImplementerEdit?: boolean;
}

/** get_reward with waits until the experiment has ended (each call at most 45 s). */
export async function waitForReward(client: Client, experimentId: string, progress?: number[]): Promise<ToolCall> {
  for (let i = 0; i < 8; i++) {
    const reward = await callTool(
      client,
      'get_reward',
      { experiment_id: experimentId, wait_seconds: 45 },
      { timeout: 90_000, onprogress: (p) => void progress?.push(p.progress) },
    );
    expect(reward.isError, reward.text).toBe(false);
    if (reward.data.status !== 'queued' && reward.data.status !== 'running') return reward;
  }
  throw new Error(`experiment ${experimentId} did not end`);
}

async function waitForSearch(client: Client, searchId: string): Promise<ToolCall> {
  for (let i = 0; i < 8; i++) {
    const search = await callTool(client, 'get_search', { search_id: searchId, wait_seconds: 45 }, { timeout: 90_000 });
    expect(search.isError, search.text).toBe(false);
    if (search.data.status !== 'running') return search;
  }
  throw new Error(`search ${searchId} did not end`);
}

/** list → read → propose (offline) → implement (implementer, and own edit) → run → reward → search → cancel one. */
export async function researchLoop(client: Client, options: LoopOptions): Promise<void> {
  const { environment, profile } = options;
  const listed = await callTool(client, 'list_environments');
  const described = listed.data.environments.find((e: { name: string }) => e.name === environment);
  expect(described, listed.text).toBeDefined();

  const read = await callTool(client, 'read_environment', { environment });
  const file = read.data.contents.find((c: { path: string }) => c.path === options.knob.file);
  const line = (file?.content as string | undefined)
    ?.split('\n')
    .find((candidate) => candidate.startsWith(`${options.knob.variable} = `));
  expect(line, `${options.knob.file} assigns ${options.knob.variable}`).toBeDefined();

  const proposed = await callTool(client, 'propose_idea', { environment, count: 1 });
  expect(proposed.isError, proposed.text).toBe(false);
  const byImplementer = await callTool(client, 'implement_idea', { idea_id: proposed.data.ideas[0].id });
  expect(byImplementer.data?.status, byImplementer.text).toBe('ready');

  const edit = `${options.knob.file}\n<<<<<<< SEARCH\n${line}\n=======\n${options.knob.variable} = ${options.knob.value}\n>>>>>>> REPLACE\n`;
  const byClient = await callTool(client, 'implement_idea', {
    idea: `set ${options.knob.variable}`,
    environment,
    edit,
  });
  expect(byClient.data, byClient.text).toMatchObject({
    status: 'ready',
    implementer: 'client',
    files_changed: [options.knob.file],
  });

  for (const implementation of options.runImplementerEdit === false ? [byClient] : [byImplementer, byClient]) {
    const queued = await callTool(client, 'run_experiment', {
      implementation_id: implementation.data.implementation_id,
      profile,
    });
    expect(queued.data?.status, queued.text).toBe('queued');
    const progress: number[] = [];
    const reward = await waitForReward(client, queued.data.experiment_id, progress);
    expect(reward.data.status, reward.text).toBe('succeeded');
    expect(reward.data.metric.name).toBe(described.metric.name);
    expect(reward.data.reward).toBeGreaterThan(0);
    expect(reward.text).toContain('reward =');
    const log = await client.readResource({ uri: `groundwork://experiments/${queued.data.experiment_id}/log` });
    expect(resourceText(log)).toMatch(/=====/);
  }

  const search = await callTool(client, 'run_search', {
    environment,
    strategy: 'best-of-n',
    budget: 1,
    batch_size: 1,
    profile,
  });
  expect(search.data?.status, search.text).toBe('running');
  const finished = await waitForSearch(client, search.data.search_id);
  expect(finished.data.status, finished.text).toBe('succeeded');
  expect(finished.data.leaderboard).toHaveLength(1);

  const doomed = await callTool(client, 'run_search', { environment, epochs: 5, batch_size: 2, profile });
  const cancelled = await callTool(client, 'cancel_search', { search_id: doomed.data.search_id });
  expect(cancelled.data?.status, cancelled.text).toBe('cancelled');
  const leftovers = await callTool(client, 'list_experiments', { search_id: doomed.data.search_id });
  // Nothing of a cancelled search is left queued or running (a fast run may have finished first).
  for (const experiment of leftovers.data.experiments) expect(experiment.status).not.toMatch(/queued|running/);
}
