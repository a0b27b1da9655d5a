// Bad input over MCP: every case gets an error result that says what to do, the server stays up, nothing is lost.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { callTool, connectInMemory, newClient } from '../helpers/mcp-client.js';
import { createTestServer } from '../helpers/test-server.js';

type Server = Awaited<ReturnType<typeof createTestServer>>;

const WIDTH_EDIT = 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n';

describe('MCP bad input', () => {
  let server: Server;
  let connection: Awaited<ReturnType<typeof connectInMemory>>;

  beforeEach(async () => {
    server = await createTestServer();
    connection = await connectInMemory(server);
  });
  afterEach(async () => {
    await connection.close();
    await server.close();
  });

  const call = (name: string, args: Record<string, unknown> = {}) => callTool(connection.client, name, args);

  it('unknown ids and names: not_found with the tool to get a valid one', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['get_reward', { experiment_id: 'exp_nope' }, /run_experiment/],
      ['cancel_experiment', { experiment_id: 'exp_nope' }, /experiment/],
      ['run_experiment', { implementation_id: 'impl_nope' }, /implement_idea/],
      ['implement_idea', { idea_id: 'idea_nope' }, /propose_idea/],
      ['propose_idea', { environment: 'toy', parent_ids: ['idea_nope'] }, /propose_idea/],
      ['get_search', { search_id: 'search_nope' }, /run_search/],
      ['cancel_search', { search_id: 'search_nope' }, /run_search/],
      ['get_leaderboard', { search_id: 'search_nope' }, /run_search/],
    ];
    for (const [name, args, hint] of cases) {
      const result = await call(name, args);
      expect(result.isError, name).toBe(true);
      expect(result.code, name).toBe('not_found');
      expect(result.text, name).toMatch(/^not_found: /);
      expect(result.text, name).toMatch(hint);
    }
    for (const [name, args] of [
      ['propose_idea', { environment: 'nope' }],
      ['read_environment', { environment: 'nope' }],
      ['run_search', { environment: 'nope' }],
    ] as const) {
      const result = await call(name, args);
      expect(result.code, name).toBe('environment_unknown');
      expect(result.text, name).toContain('known: ');
    }
    const strategy = await call('run_search', { environment: 'toy', strategy: 'simulated-annealing' });
    expect(strategy.code).toBe('bad_input');
    expect(strategy.text).toContain('known: evolutionary, best-of-n');
  });

  it('wrong types, missing fields and oversized arguments: a validation error naming the field', async () => {
    const wrongType = await call('propose_idea', { environment: 'toy', count: 'five' });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toMatch(/count/);
    const missing = await call('get_reward', {});
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/experiment_id/);
    const tooLong = await call('get_reward', { experiment_id: 'exp_1', wait_seconds: 3600 });
    expect(tooLong.text).toMatch(/at most 45; call again/);
    const hugeEdit = await call('implement_idea', { idea: 'x', environment: 'toy', edit: 'y'.repeat(400_001) });
    expect(hugeEdit.isError).toBe(true);
    expect(hugeEdit.text).toMatch(/search\/replace blocks/);
    const manyPaths = await call('read_environment', {
      environment: 'toy',
      paths: Array.from({ length: 51 }, () => 'a'),
    });
    expect(manyPaths.text).toMatch(/paths/);
    const huge = await call('list_experiments', {
      status: ['x'.repeat(100)].concat(Array.from({ length: 20_000 }, () => 'y')),
    });
    expect(huge.isError).toBe(true);
    const neither = await call('implement_idea', { edit: WIDTH_EDIT });
    expect(neither.code).toBe('bad_input');
    expect(neither.text).toContain('give idea_id');
    const both = await call('implement_idea', { idea_id: 'idea_x', idea: 'text', environment: 'toy' });
    expect(both.text).toContain('not both');
    const seeds = await call('run_experiment', {
      implementation_id: 'impl_x',
      seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    });
    expect(seeds.isError).toBe(true);
    await expect(connection.client.callTool({ name: 'no_such_tool', arguments: {} })).resolves.toMatchObject({
      isError: true,
    });
  });

  it('edits to frozen files, outside the tree, or that do not apply: status failed with the reason', async () => {
    const cases: [string, RegExp][] = [
      ['harness/evaluate.py\n<<<<<<< SEARCH\nimport json\n=======\nimport json  # x\n>>>>>>> REPLACE\n', /frozen/],
      ['data/values.txt\n<<<<<<< SEARCH\n1\n=======\n2\n>>>>>>> REPLACE\n', /frozen/],
      ['--- a/../escape.py\n+++ b/../escape.py\n@@ -0,0 +1 @@\n+print(1)\n', /outside|\.\./],
      ['--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-root\n+me\n', /absolute|outside/],
      [
        'train.py\n<<<<<<< SEARCH\nTHIS TEXT IS NOT THERE\n=======\nx = 1\n>>>>>>> REPLACE\n',
        /not found|does not|no match/i,
      ],
      ['train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = (\n>>>>>>> REPLACE\n', /compile|syntax/i],
    ];
    for (const [edit, reason] of cases) {
      const result = await call('implement_idea', { idea: 'try it', environment: 'toy', edit });
      expect(result.isError, edit).toBe(false);
      expect(result.data.status, edit).toBe('failed');
      expect(result.data.error.message, edit).toMatch(reason);
      expect(result.text, edit).toContain('call implement_idea again');
      const run = await call('run_experiment', { implementation_id: result.data.implementation_id });
      expect(run.code, edit).toBe('bad_input');
      expect(run.text, edit).toMatch(/implement the idea again/);
    }
  });

  it('a client that cancels a wait, or disconnects mid-call, stops only its own call; the work and the store survive', async () => {
    const own = await call('implement_idea', { idea: 'wider', environment: 'toy', edit: WIDTH_EDIT });
    const queued = await call('run_experiment', { implementation_id: own.data.implementation_id, profile: 'slow' });
    const controller = new AbortController();
    const waiting = callTool(
      connection.client,
      'get_reward',
      { experiment_id: queued.data.experiment_id, wait_seconds: 40 },
      { signal: controller.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    controller.abort();
    await expect(waiting).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);

    // A second client disconnects in the middle of a wait.
    const other = await connectInMemory(server);
    const pending = callTool(other.client, 'get_reward', {
      experiment_id: queued.data.experiment_id,
      wait_seconds: 40,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await other.close();
    await expect(pending).rejects.toThrow();

    // The server still answers, and the experiment is still there and running.
    const status = await call('get_reward', { experiment_id: queued.data.experiment_id });
    expect(status.isError).toBe(false);
    expect(['queued', 'running']).toContain(status.data.status);
    const cancelled = await call('cancel_experiment', { experiment_id: queued.data.experiment_id });
    expect(cancelled.data.status).toBe('cancelled');
    expect(cancelled.data.failure.category).toBe('cancelled');
    const listed = await call('list_experiments', { environment: 'toy' });
    expect(listed.data.total).toBe(1);
  });

  it('two clients at once each get their own answers', async () => {
    const other = await connectInMemory(server);
    try {
      const [a, b] = await Promise.all([
        call('propose_idea', { environment: 'toy', count: 2 }),
        callTool(other.client, 'propose_idea', { environment: 'toy', count: 3 }),
      ]);
      expect(a.data.ideas).toHaveLength(2);
      expect(b.data.ideas).toHaveLength(3);
      const ids = new Set([...a.data.ideas, ...b.data.ideas].map((idea: { id: string }) => idea.id));
      expect(ids.size).toBe(5);
    } finally {
      await other.close();
    }
  });

  it('resources: unknown ids and paths outside an environment are errors, not crashes', async () => {
    const { client } = connection;
    await expect(client.readResource({ uri: 'groundwork://experiments/exp_nope' })).rejects.toThrow(/not_found/);
    await expect(
      client.readResource({ uri: 'groundwork://environments/toy/files/..%2F..%2Fetc%2Fpasswd' }),
    ).rejects.toThrow(/bad_input|not a file path/);
    await expect(client.readResource({ uri: 'groundwork://environments/toy/files/nope.py' })).rejects.toThrow(
      /no file/,
    );
    await expect(client.readResource({ uri: 'groundwork://nothing/here' })).rejects.toThrow(/not found/);
    expect((await call('list_environments')).isError).toBe(false);
  });
});

describe('cancellation', () => {
  it('reaches the implementer: its signal aborts when the client cancels the call', async () => {
    let aborted = false;
    let started!: () => void;
    const writing = new Promise<void>((resolve) => (started = resolve));
    const server = await createTestServer({
      overrides: {
        implementer: {
          name: 'slow',
          writeEdit: (_request, options) =>
            new Promise<string>((_resolve, reject) => {
              started();
              options?.signal?.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('aborted'));
              });
            }),
        },
      },
    });
    const connection = await connectInMemory(server);
    try {
      const controller = new AbortController();
      const call = callTool(
        connection.client,
        'implement_idea',
        { idea: 'anything', environment: 'toy' },
        { signal: controller.signal },
      );
      await writing;
      controller.abort();
      await expect(call).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(aborted).toBe(true);
      expect((await callTool(connection.client, 'list_environments')).isError).toBe(false);
    } finally {
      await connection.close();
      await server.close();
    }
  });
});

describe('the sampling provider', () => {
  it('asks the client’s model when the client supports sampling', async () => {
    const { createSamplingLlmProvider } = await import('../../src/mcp/sampling-provider.js');
    const server = await createTestServer({
      config: { llm: { provider: 'sampling' } } as never,
      overrides: { llmProviders: { sampling: createSamplingLlmProvider() } },
    });
    const asked: string[] = [];
    const client = newClient({
      onSampling: (params) => {
        const first = params.messages[0]?.content;
        asked.push(first && 'text' in first ? String(first.text) : '');
        return {
          model: 'client-model-1',
          role: 'assistant',
          content: {
            type: 'text',
            text: '[Idea 1] Wider model\n[Experiment] Make the model wider.\n[Code Changes] Set WIDTH to 32 in train.py.\n',
          },
        };
      },
    });
    const connection = await connectInMemory(server, client);
    try {
      const proposed = await callTool(connection.client, 'propose_idea', { environment: 'toy', count: 1 });
      expect(proposed.isError, proposed.text).toBe(false);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked[0]).toContain('train.py');
      expect(proposed.data.ideas[0].origin.provider).toBe('sampling');
    } finally {
      await connection.close();
      await server.close();
    }
  });

  it('says clearly what to do when the client cannot sample', async () => {
    const { createSamplingLlmProvider } = await import('../../src/mcp/sampling-provider.js');
    const server = await createTestServer({
      config: { llm: { provider: 'sampling' } } as never,
      overrides: { llmProviders: { sampling: createSamplingLlmProvider() } },
    });
    const connection = await connectInMemory(server);
    try {
      const result = await callTool(connection.client, 'propose_idea', { environment: 'toy', count: 1 });
      expect(result.isError).toBe(true);
      expect(result.code).toBe('llm_api');
      expect(result.text).toMatch(/does not support sampling/);
      expect(result.text).toMatch(/implement_idea with idea, environment and edit/);
      const own = await callTool(connection.client, 'implement_idea', {
        idea: 'wider',
        environment: 'toy',
        edit: WIDTH_EDIT,
      });
      expect(own.data.status).toBe('ready');
    } finally {
      await connection.close();
      await server.close();
    }
  });
});
