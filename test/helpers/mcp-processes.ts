// The built CLI as MCP clients meet it: `groundwork stdio` behind a StdioClientTransport, and `groundwork serve`.
import { type ChildProcess, spawn } from 'node:child_process';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { CLI } from './run-cli.js';
import { BUNDLED_ENVIRONMENTS, FIXTURE_ENVIRONMENTS } from './test-server.js';

/** What the spawned CLI sees: a private data directory, the test environments, Debian's python. */
export function cliEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GROUNDWORK_HOME: home,
    GROUNDWORK_ENVIRONMENTS: `${FIXTURE_ENVIRONMENTS}:${BUNDLED_ENVIRONMENTS}`,
    GROUNDWORK_PYTHON: '/usr/bin/python3',
    ...extra,
  };
}

export interface StdioConnection {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the server wrote to stderr. */
  stderr(): string;
  /** Transport errors, e.g. a line on stdout that is not JSON-RPC. */
  errors: Error[];
  close(): Promise<void>;
}

export async function connectStdio(
  home: string,
  extra: Record<string, string> = {},
  args: string[] = [],
): Promise<StdioConnection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'stdio', ...args],
    env: cliEnv(home, extra),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const errors: Error[] = [];
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  transport.onerror = (error) => void errors.push(error);
  return { client, transport, errors, stderr: () => stderr, close: () => client.close() };
}

export interface Daemon {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startDaemon(
  home: string,
  extra: Record<string, string> = {},
  args: string[] = ['--port', '0'],
): Promise<Daemon> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: cliEnv(home, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /at (http:\/\/[^\s]+) \(MCP/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1] as string,
        child,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

export async function connectHttp(
  url: string,
  token?: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}
