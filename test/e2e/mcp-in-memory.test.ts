// The whole loop through the SDK's own Client over an in-memory transport, on the toy environment.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { callTool, connectInMemory, resourceText } from '../helpers/mcp-client.js';
import { researchLoop } from '../helpers/mcp-loop.js';
import { createTestServer, hasTorch } from '../helpers/test-server.js';

type Server = Awaited<ReturnType<typeof createTestServer>>;

describe('MCP over an in-memory transport', () => {
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

  it('lists tools with schemas and annotations', async () => {
    const { tools } = await connection.client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'list_environments',
        'propose_idea',
        'implement_idea',
        'run_experiment',
        'get_reward',
        'run_search',
      ]),
    );
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toBeDefined();
      expect(tool.description?.length, tool.name).toBeGreaterThan(60);
      expect(tool.annotations?.readOnlyHint, tool.name).toBeTypeOf('boolean');
    }
    const getReward = tools.find((tool) => tool.name === 'get_reward');
    expect(getReward?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: false });
  });

  it('runs the loop: list, propose, implement (implementer and own edit), run, reward', async () => {
    const { client } = connection;
    const logs: string[] = [];
    client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (n) => void logs.push(JSON.stringify(n.params.data)),
    );
    const environments = await callTool(client, 'list_environments');
    expect(environments.isError).toBe(false);
    const toy = environments.data.environments.find((e: { name: string }) => e.name === 'toy');
    expect(toy).toMatchObject({
      metric: { name: 'loss', direction: 'min' },
      baseline: { value: 2 },
      editable: ['train.py'],
    });

    const proposed = await callTool(client, 'propose_idea', { environment: 'toy', count: 2 });
    expect(proposed.isError, proposed.text).toBe(false);
    expect(proposed.data.ideas).toHaveLength(2);

    const implemented = await callTool(client, 'implement_idea', { idea_id: proposed.data.ideas[0].id });
    expect(implemented.data, implemented.text).toMatchObject({ status: 'ready', files_changed: ['train.py'] });
    expect(implemented.data.diff).toContain('+');

    const own = await callTool(client, 'implement_idea', {
      idea: 'widen the model to 32',
      environment: 'toy',
      edit: 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 32\n>>>>>>> REPLACE\n',
    });
    expect(own.data, own.text).toMatchObject({ status: 'ready', implementer: 'client' });

    const queued = await callTool(client, 'run_experiment', {
      implementation_id: own.data.implementation_id,
      seeds: [0, 1],
    });
    expect(queued.data).toMatchObject({ status: 'queued', seeds: [0, 1] });

    const progress: number[] = [];
    const reward = await callTool(
      client,
      'get_reward',
      { experiment_id: queued.data.experiment_id, wait_seconds: 30 },
      { onprogress: (p) => void progress.push(p.progress) },
    );
    expect(reward.data.status, reward.text).toBe('succeeded');
    expect(reward.data.metric).toMatchObject({ name: 'loss', direction: 'min', seeds: 2 });
    expect(reward.data.reward).toBeCloseTo(1 / reward.data.metric.value, 9);
    expect(reward.data.baseline).toMatchObject({ value: 2, improved: true });
    expect(progress.length).toBeGreaterThan(0);
    expect(reward.text).toContain('better than the baseline');
    expect(logs.some((line) => line.includes('succeeded'))).toBe(true);
  });

  it('runs the whole loop on the toy environment, searches included', async () => {
    await researchLoop(connection.client, {
      environment: 'toy',
      knob: { file: 'train.py', variable: 'WIDTH', value: '16' },
    });
  });

  it('serves environments, files, experiments and searches as resources, and prompts', async () => {
    const { client } = connection;
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(
      expect.arrayContaining([
        'groundwork://environments/{name}',
        'groundwork://environments/{name}/files/{+path}',
        'groundwork://experiments/{id}',
        'groundwork://experiments/{id}/log',
        'groundwork://experiments/{id}/diff',
        'groundwork://searches/{id}',
      ]),
    );
    const train = await client.readResource({ uri: 'groundwork://environments/toy/files/train.py' });
    expect(resourceText(train)).toContain('WIDTH = 8');
    const harness = await client.readResource({ uri: 'groundwork://environments/toy/files/harness/evaluate.py' });
    expect(harness.contents[0]?.mimeType).toBe('text/x-python');
    const own = await callTool(client, 'implement_idea', {
      idea: 'wider',
      environment: 'toy',
      edit: 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 32\n>>>>>>> REPLACE\n',
    });
    const queued = await callTool(client, 'run_experiment', { implementation_id: own.data.implementation_id });
    await callTool(client, 'get_reward', { experiment_id: queued.data.experiment_id, wait_seconds: 30 });
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    const base = `groundwork://experiments/${queued.data.experiment_id}`;
    expect(uris).toEqual(
      expect.arrayContaining(['groundwork://environments/toy', base, `${base}/log`, `${base}/diff`]),
    );
    const experiment = JSON.parse(resourceText(await client.readResource({ uri: base })));
    expect(experiment).toMatchObject({ status: 'succeeded', log: `${base}/log` });
    expect(resourceText(await client.readResource({ uri: `${base}/diff` }))).toContain('+WIDTH = 32');
    expect(resourceText(await client.readResource({ uri: `${base}/log` }))).toContain('seed-0 train');

    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(expect.arrayContaining(['research_session', 'review_experiment']));
    const session = await client.getPrompt({ name: 'research_session', arguments: { environment: 'toy' } });
    expect(JSON.stringify(session.messages)).toContain('list_environments');
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'research_session' },
      argument: { name: 'environment', value: 't' },
    });
    expect(completion.completion.values).toEqual(expect.arrayContaining(['toy', 'tiny-lm']));
    const review = await client.getPrompt({
      name: 'review_experiment',
      arguments: { experiment_id: queued.data.experiment_id },
    });
    expect(review.messages.map((m) => m.content.type)).toEqual(['text', 'resource', 'resource']);
  });

  it('filters MCP logging by the level the client sets', async () => {
    const { client } = connection;
    const levels: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void levels.push(n.params.level));
    await client.setLoggingLevel('warning');
    await callTool(client, 'propose_idea', { environment: 'toy', count: 1 });
    await client.setLoggingLevel('debug');
    await callTool(client, 'propose_idea', { environment: 'toy', count: 1 });
    expect(levels).toEqual(['info']);
  });
});

describe.skipIf(!hasTorch)('MCP over an in-memory transport on tiny-lm (real PyTorch)', () => {
  it('runs the whole loop with the smoke profile', async () => {
    const server = await createTestServer();
    const connection = await connectInMemory(server);
    try {
      await researchLoop(connection.client, {
        environment: 'tiny-lm',
        profile: 'smoke',
        knob: { file: 'train.py', variable: 'LEARNING_RATE', value: '4e-3' },
        runImplementerEdit: false,
      });
    } finally {
      await connection.close();
      await server.close();
    }
  }, 240_000);
});
