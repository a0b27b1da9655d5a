// `groundwork stdio`, built and spawned as clients start it: stdout carries only MCP, the loop works, one writer
// per data directory, and forwarding to a running daemon.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { describe, expect, it } from 'vitest';

import { callTool } from '../helpers/mcp-client.js';
import { researchLoop } from '../helpers/mcp-loop.js';
import { cliEnv, connectStdio, startDaemon } from '../helpers/mcp-processes.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { hasTorch } from '../helpers/test-server.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('groundwork stdio', () => {
  it('has help, like every command', async () => {
    for (const command of ['stdio', 'serve']) {
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: groundwork ${command}`);
    }
    expect((await runCli(['--help'])).stdout).toMatch(/stdio\s+serve MCP over stdin\/stdout/);
  });

  it('starts from the stdio entry of mcp.json as written (from the repository root)', async () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'mcp.json'), 'utf8')) as {
      mcpServers: Record<string, { command?: string; args?: string[]; type?: string; url?: string }>;
    };
    const entry = config.mcpServers.groundwork;
    expect(entry?.command).toBe('node');
    expect(config.mcpServers['groundwork-http']).toEqual({ type: 'http', url: 'http://127.0.0.1:7410/mcp' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: entry?.args ?? [],
      cwd: ROOT,
      env: cliEnv(await tempDir()),
      stderr: 'ignore',
    });
    const client = new Client({ name: 'mcp-json', version: '1' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('run_experiment');
    } finally {
      await client.close();
    }
  });

  it('runs the loop on toy in-process, writing nothing but MCP to stdout', async () => {
    const home = await tempDir();
    const connection = await connectStdio(home);
    try {
      await researchLoop(connection.client, {
        environment: 'toy',
        knob: { file: 'train.py', variable: 'WIDTH', value: '16' },
      });
      expect(connection.errors).toEqual([]);
      expect(existsSync(join(home, 'lock'))).toBe(true);
    } finally {
      await connection.close();
    }
  });

  it('lets a second in-process server answer every call with what to do while the first holds the data directory', async () => {
    const home = await tempDir();
    const first = await connectStdio(home);
    const second = await connectStdio(home);
    try {
      expect((await callTool(first.client, 'list_experiments')).isError).toBe(false);
      const refused = await callTool(second.client, 'list_experiments');
      expect(refused.isError).toBe(true);
      expect(refused.code).toBe('store_locked');
      expect(refused.text).toMatch(/groundwork serve/);
      expect((await second.client.listTools()).tools.length).toBeGreaterThan(5);
      await first.close();
      // The next call takes over the data directory the first server released.
      let retried = await callTool(second.client, 'list_experiments');
      for (let i = 0; i < 20 && retried.isError; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        retried = await callTool(second.client, 'list_experiments');
      }
      expect(retried.isError, retried.text).toBe(false);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('forwards to a running daemon for the same data directory, several clients at once', async () => {
    const home = await tempDir();
    const daemon = await startDaemon(home);
    try {
      expect(existsSync(join(home, 'daemon.json'))).toBe(true);
      const [one, two] = await Promise.all([connectStdio(home), connectStdio(home)]);
      try {
        const [a, b] = await Promise.all([
          callTool(one.client, 'propose_idea', { environment: 'toy', count: 1 }),
          callTool(two.client, 'propose_idea', { environment: 'toy', count: 2 }),
        ]);
        expect(a.data.ideas).toHaveLength(1);
        expect(b.data.ideas).toHaveLength(2);
        expect(one.stderr()).toContain('forwarding to the daemon');
        // Both went to the same store, held by the daemon.
        const own = await callTool(one.client, 'implement_idea', {
          idea: 'wider',
          environment: 'toy',
          edit: 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 32\n>>>>>>> REPLACE\n',
        });
        const queued = await callTool(one.client, 'run_experiment', { implementation_id: own.data.implementation_id });
        const progress: number[] = [];
        const reward = await callTool(
          two.client,
          'get_reward',
          { experiment_id: queued.data.experiment_id, wait_seconds: 30 },
          { onprogress: (p) => void progress.push(p.progress) },
        );
        expect(reward.data.status, reward.text).toBe('succeeded');
        expect(progress.length).toBeGreaterThan(0);
        expect(one.errors).toEqual([]);
      } finally {
        await one.close();
        await two.close();
      }
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    expect(existsSync(join(home, 'daemon.json'))).toBe(false);
  });
});

/** Runs `groundwork stdio` as a script would: every message written at once, then stdin closed. */
async function oneShot(home: string, args: string[], call: { name: string; arguments: Record<string, unknown> }) {
  const input = [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'script', version: '1' } },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: call },
  ];
  const result = await runCli(['stdio', ...args], {
    env: cliEnv(home),
    input: `${input.map((message) => JSON.stringify(message)).join('\n')}\n`,
    timeoutMs: 30_000,
  });
  const answers = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id?: number; result?: { structuredContent?: Record<string, unknown[]> } })
    .filter((message) => message.id !== undefined);
  return { answers, stderr: result.stderr };
}

describe('groundwork stdio forwarding a one-shot script', () => {
  it('answers every request even when the client writes them all at once and closes stdin', async () => {
    const home = await tempDir();
    const daemon = await startDaemon(home);
    try {
      const { answers, stderr } = await oneShot(home, [], { name: 'list_environments', arguments: {} });
      expect(answers.map((answer) => answer.id)).toEqual([1, 2]);
      expect(answers[1]?.result?.structuredContent?.environments?.length).toBeGreaterThan(0);
      expect(stderr).toContain('forwarding to the daemon');
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});

describe.skipIf(!hasTorch)('groundwork stdio on tiny-lm (real PyTorch)', () => {
  it('runs the whole loop with the smoke profile', async () => {
    const connection = await connectStdio(await tempDir());
    try {
      await researchLoop(connection.client, {
        environment: 'tiny-lm',
        profile: 'smoke',
        knob: { file: 'train.py', variable: 'LEARNING_RATE', value: '4e-3' },
        runImplementerEdit: false,
      });
      expect(connection.errors).toEqual([]);
    } finally {
      await connection.close();
    }
  }, 240_000);
});

describe('groundwork stdio in-process, one-shot script', () => {
  it('answers requests that were still running when stdin closed', async () => {
    const home = await tempDir();
    const { answers } = await oneShot(home, ['--no-forward'], {
      name: 'propose_idea',
      arguments: { environment: 'toy', count: 2 },
    });
    expect(answers.map((answer) => answer.id)).toEqual([1, 2]);
    expect(answers[1]?.result?.structuredContent?.ideas).toHaveLength(2);
  });
});
