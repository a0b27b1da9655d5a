// Results a model can read alone (summary, next), resource links that resolve, and confirmation before big spends.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import { allTools } from '../../tools/index.js';
import { callTool, connectInMemory, newClient, resourceText, type ToolCall } from '../helpers/mcp-client.js';
import { createTestServer } from '../helpers/test-server.js';
import { tempDir } from '../helpers/temp-dir.js';

type Server = Awaited<ReturnType<typeof createTestServer>>;

/** The text rendering names a next call. */
const NAMES_NEXT = /Next: |call get_reward again|Follow it with get_search|call implement_idea again/;

function expectGuided(name: string, call: ToolCall): void {
  expect(call.isError, `${name}: ${call.text}`).toBe(false);
  expect(typeof call.data.summary, name).toBe('string');
  expect(call.data.summary.length, name).toBeGreaterThan(10);
  if (NAMES_NEXT.test(call.text)) {
    expect(call.data.next, `${name}: ${call.text}`).toMatchObject({ tool: expect.any(String) });
    expect(allTools.map((tool) => tool.name)).toContain(call.data.next.tool);
  }
}

const links = (call: ToolCall): string[] =>
  call.raw.content.flatMap((part) => (part.type === 'resource_link' ? [part.uri] : []));

describe('MCP results for real clients', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(options: Parameters<typeof createTestServer>[0] = {}): Promise<Server> {
    const server = await createTestServer(options);
    cleanups.push(() => server.close());
    return server;
  }

  it('every tool answers with a summary, and with next where its text names the next call; links resolve', async () => {
    const root = await tempDir();
    const server = await start({ config: { environments: { allowedRoots: [root] } } });
    const client = newClient({ capabilities: { roots: {} } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: pathToFileURL(root).href, name: 'w' }] }));
    const { close } = await connectInMemory(server, client);
    cleanups.push(close);
    const called = new Set<string>();
    const linked: string[] = [];
    const call = async (name: string, args: Record<string, unknown> = {}, link = false): Promise<ToolCall> => {
      const result = await callTool(client, name, args);
      expectGuided(name, result);
      called.add(name);
      if (link) {
        expect(links(result).length, `${name} links`).toBeGreaterThan(0);
        linked.push(...links(result));
      }
      return result;
    };

    await call('list_environments');
    await call('read_environment', { environment: 'toy' });
    const proposed = await call('propose_idea', { environment: 'toy', count: 1 });
    expect(proposed.data.next).toMatchObject({
      tool: 'implement_idea',
      arguments: { idea_id: proposed.data.ideas[0].id },
    });
    const implemented = await call(
      'implement_idea',
      {
        idea: 'widen the model',
        environment: 'toy',
        edit: 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n',
      },
      true,
    );
    expect(implemented.data.next).toEqual({
      tool: 'run_experiment',
      arguments: { implementation_id: implemented.data.implementation_id },
    });
    const queued = await call('run_experiment', { implementation_id: implemented.data.implementation_id }, true);
    expect(queued.data.next).toMatchObject({
      tool: 'get_reward',
      arguments: { experiment_id: queued.data.experiment_id },
    });
    const reward = await call('get_reward', { experiment_id: queued.data.experiment_id, wait_seconds: 40 }, true);
    expect(reward.data.status, reward.text).toBe('succeeded');
    expect(reward.data.summary).toMatch(/loss = /);
    await call('list_experiments');
    await call('get_leaderboard', { environment: 'toy' });
    await call('cancel_experiment', { experiment_id: queued.data.experiment_id });

    const search = await call('run_search', { environment: 'toy', strategy: 'best-of-n', budget: 1 }, true);
    expect(search.data.next).toMatchObject({ tool: 'get_search', arguments: { search_id: search.data.search_id } });
    await call('get_search', { search_id: search.data.search_id, wait_seconds: 40 }, true);
    await call('get_search_report', { search_id: search.data.search_id });
    await call('list_searches');
    await call('cancel_search', { search_id: search.data.search_id });
    // An ended search cannot be resumed: the error result says so (errors carry text and _meta, not a summary).
    const resumed = await callTool(client, 'resume_search', { search_id: search.data.search_id });
    if (resumed.isError) {
      expect(resumed.text).toMatch(/resume/);
      called.add('resume_search');
    } else expectGuided('resume_search', resumed);
    const scheduled = await call('run_search', {
      environment: 'toy',
      strategy: 'best-of-n',
      budget: 1,
      schedule: '6h',
    });
    await call('cancel_schedule', { schedule_id: scheduled.data.schedule.schedule_id });
    await call('cancel_search', { search_id: scheduled.data.search_id });
    await call('get_rl_run');

    // Bring your own code: a one-file repository, added, run, and exported back as a branch.
    const repo = join(root, 'mine');
    await mkdir(repo);
    await writeFile(join(repo, 'train.py'), 'STEPS = 20\nprint(f"val_loss = {1.0 / STEPS:.4f}")\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'start');
    await call('add_environment', {
      path: repo,
      metric: 'val_loss',
      metric_from_log: 'val_loss = ([0-9.]+)',
      time_limit: 30,
    });
    const mine = await call('implement_idea', {
      idea: 'more steps',
      environment: 'mine',
      edit: 'train.py\n<<<<<<< SEARCH\nSTEPS = 20\n=======\nSTEPS = 40\n>>>>>>> REPLACE\n',
    });
    const run = await call('run_experiment', { implementation_id: mine.data.implementation_id });
    const done = await call('get_reward', { experiment_id: run.data.experiment_id, wait_seconds: 40 });
    expect(done.data.status, done.text).toBe('succeeded');
    await call('export_result', { id: run.data.experiment_id, repo });

    expect([...called].sort()).toEqual(allTools.map((tool) => tool.name).sort());

    // Every link resolves (resources/read), and the implementation's whole diff is one of them.
    expect(linked).toContain(`groundwork://implementations/${implemented.data.implementation_id}/diff`);
    for (const uri of new Set(linked)) {
      const read = await client.readResource({ uri });
      expect(resourceText(read).length, uri).toBeGreaterThan(0);
    }
  });

  it('refuses prototype names, unknown strategies and profiles, and schedules more often than once a minute', async () => {
    const server = await start({ config: { confirm: { gpuHours: 4, usd: 5, minScheduleIntervalSec: 60 } } });
    const { client, close } = await connectInMemory(server);
    cleanups.push(close);
    const implemented = await callTool(client, 'implement_idea', {
      idea: 'widen',
      environment: 'toy',
      edit: 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n',
    });
    for (const profile of ['constructor', '__proto__', 'toString']) {
      const run = await callTool(client, 'run_experiment', {
        implementation_id: implemented.data.implementation_id,
        profile,
      });
      expect(run.code, run.text).toBe('bad_input');
      expect(run.text).toContain(`no profile "${profile}"`);
    }
    for (const strategy of ['toString', 'constructor', '__proto__']) {
      const search = await callTool(client, 'run_search', { environment: 'toy', strategy });
      expect(search.code, search.text).toBe('bad_input');
      expect(search.text).toMatch(/unknown strategy .*known: .*evolutionary/);
    }
    const unknownProfile = await callTool(client, 'run_search', { environment: 'toy', profile: 'nonexistent' });
    expect(unknownProfile.code, unknownProfile.text).toBe('bad_input');
    for (const schedule of ['1ms', '30s', 'every 5 seconds']) {
      const fast = await callTool(client, 'run_search', { environment: 'toy', budget: 1, batch_size: 1, schedule });
      expect(fast.code, `${schedule}: ${fast.text}`).toBe('bad_input');
      expect(fast.text).toContain('at most once a minute');
    }
    expect(await server.services.listSearches()).toEqual([]);
    expect(await server.services.listSchedules()).toEqual([]);
  });

  it('asks before a big spend: elicitation when the client can, else confirm: true', async () => {
    const server = await start({
      config: { confirm: { gpuHours: 0.1, usd: 5, minScheduleIntervalSec: 60 }, scheduler: { gpus: 0 } },
    });
    const plain = await connectInMemory(server);
    cleanups.push(plain.close);
    const implemented = await callTool(plain.client, 'implement_idea', {
      idea: 'raise the value',
      environment: 'gpu-noop',
      edit: 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n',
    });
    expect(implemented.data.status, implemented.text).toBe('ready');
    const huge = { implementation_id: implemented.data.implementation_id, profile: 'huge' };

    // Under the limit (1 GPU × 30 s): no question asked.
    const small = await callTool(plain.client, 'run_experiment', { implementation_id: huge.implementation_id });
    expect(small.isError, small.text).toBe(false);

    // Over it (64 GPUs × 30 s ≈ 0.53 GPU-hours), a client without elicitation must say confirm: true.
    const refused = await callTool(plain.client, 'run_experiment', huge);
    expect(refused.code, refused.text).toBe('bad_input');
    expect(refused.text).toMatch(/confirmation required: .*0\.533 GPU-hours.*confirm: true/);
    const confirmed = await callTool(plain.client, 'run_experiment', { ...huge, confirm: true });
    expect(confirmed.isError, confirmed.text).toBe(false);
    const search = await callTool(plain.client, 'run_search', {
      environment: 'gpu-noop',
      strategy: 'best-of-n',
      budget: 20,
      profile: 'two',
    });
    expect(search.text).toMatch(
      /confirmation required: a best-of-n search on gpu-noop is estimated at about 0\.333 GPU-hours/,
    );

    // An elicitation-capable client asks its user: accept starts it, decline does not.
    let answer: 'accept' | 'decline' = 'accept';
    const asked: string[] = [];
    const asking = newClient({ capabilities: { elicitation: {} } });
    asking.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params.message);
      return answer === 'accept' ? { action: 'accept', content: {} } : { action: 'decline' };
    });
    const connection = await connectInMemory(server, asking);
    cleanups.push(connection.close);
    const accepted = await callTool(asking, 'run_experiment', huge);
    expect(accepted.isError, accepted.text).toBe(false);
    expect(asked[0]).toMatch(/about to start an experiment on gpu-noop, estimated at about 0\.533 GPU-hours/);
    answer = 'decline';
    const declined = await callTool(asking, 'run_experiment', { ...huge, confirm: true });
    expect(declined.code, declined.text).toBe('cancelled');
    expect(declined.text).toContain('the user declined');
    expect(asked).toHaveLength(2);
    for (const id of [small, confirmed, accepted].map((r) => r.data.experiment_id as string)) {
      await server.services.cancelExperiment(id);
    }
  });
});
