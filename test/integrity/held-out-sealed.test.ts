// Reward hacks E9 and §1 of the hostile pass: held-out data is never served, and an edit that copies it is refused.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ResearchError } from '../../src/domain/errors.js';
import { loadManifest } from '../../src/environments/registry.js';
import { createApi } from '../../src/http/api.js';
import { checkContamination } from '../../src/implementer/contamination.js';
import { callTool, connectInMemory } from '../helpers/mcp-client.js';
import { BUNDLED_ENVIRONMENTS, createTestServer } from '../helpers/test-server.js';

type Server = Awaited<ReturnType<typeof createTestServer>>;
const VAL = join(BUNDLED_ENVIRONMENTS, 'tiny-lm', 'harness', 'val.txt');

describe('held-out data is sealed', () => {
  let server: Server;
  let val: string;
  beforeAll(async () => {
    val = await readFile(VAL, 'utf8');
  });
  // A server per test: the test helper removes its data directory after each test.
  beforeEach(async () => {
    server = await createTestServer({ config: { preflight: { smoke: false } } });
  });
  afterEach(async () => server.close());

  it('lists val.txt as sealed and refuses to read it, naming the file (services)', async () => {
    const files = await server.services.listEnvironmentFiles('tiny-lm');
    expect(files.find((file) => file.path === 'harness/val.txt')).toMatchObject({ sealed: true });
    expect(files.find((file) => file.path === 'train.py')?.sealed).toBeUndefined();
    await expect(server.services.readEnvironmentFile('tiny-lm', 'harness/val.txt')).rejects.toThrow(
      /harness\/val\.txt is sealed/,
    );
  });

  it('serves it through neither resources nor read_environment (MCP)', async () => {
    const connection = await connectInMemory(server);
    try {
      const { client } = connection;
      const { resources } = await client.listResources();
      expect(resources.some((resource) => resource.uri.endsWith('tiny-lm/files/harness/val.txt'))).toBe(false);
      expect(resources.some((resource) => resource.uri.endsWith('tiny-lm/files/train.py'))).toBe(true);
      await expect(
        client.readResource({ uri: 'groundwork://environments/tiny-lm/files/harness/val.txt' }),
      ).rejects.toThrow(/sealed/);
      const environment = await client.readResource({ uri: 'groundwork://environments/tiny-lm' });
      const listing = JSON.parse((environment.contents[0] as { text: string }).text) as {
        files: { path: string; sealed?: boolean; uri?: string }[];
      };
      expect(listing.files.find((file) => file.path === 'harness/val.txt')).toMatchObject({ sealed: true });
      expect(listing.files.find((file) => file.path === 'harness/val.txt')?.uri).toBeUndefined();

      const read = await callTool(client, 'read_environment', { environment: 'tiny-lm', paths: ['harness/val.txt'] });
      expect(read.isError).toBe(false);
      expect(read.data.contents).toEqual([]);
      expect(read.data.skipped[0].reason).toMatch(/harness\/val\.txt is sealed/);
      expect(read.text).toContain('sealed');
      expect(read.text).not.toContain(val.slice(1000, 1100));
    } finally {
      await connection.close();
    }
  });

  it('shows it as sealed with no content in /api', async () => {
    const api = createApi({
      services: server.services,
      health: { name: 'groundwork', version: 'test', home: server.home, pid: process.pid },
    });
    const response = await api.request('http://127.0.0.1/environments/tiny-lm');
    const text = await response.text();
    const body = JSON.parse(text) as { files: { path: string; sealed?: boolean }[]; held_out?: string[] };
    expect(body.files.find((file) => file.path === 'harness/val.txt')).toMatchObject({ sealed: true });
    expect(body.held_out).toEqual(['harness/val.txt']);
    expect(text).not.toContain(val.slice(1000, 1064));
  });

  it('refuses an edit that pastes 64+ characters of val.txt into train.py as contamination, naming the file', async () => {
    const stolen = val.slice(5000, 5200);
    const edit = `train.py\n<<<<<<< SEARCH\nimport math\n=======\nimport math\nEXTRA = ${JSON.stringify(stolen)}\n>>>>>>> REPLACE\n`;
    const implementation = await server.services.implementIdea({
      idea: { text: 'more data' },
      environment: 'tiny-lm',
      edit,
    });
    expect(implementation.status).toBe('failed');
    expect(implementation.error?.category).toBe('edit_refused');
    expect(implementation.error?.message).toMatch(/copies held-out data.*harness\/val\.txt/s);
    expect(implementation.error?.message).not.toContain(stolen.slice(0, 64));
  });

  it('gives the refusal the reason code contaminated, also for re-wrapped text; honest text passes', async () => {
    const environment = await loadManifest(join(BUNDLED_ENVIRONMENTS, 'tiny-lm'));
    const before = 'x = 1\n';
    // Re-wrapped into a Python string with escaped newlines: the loose comparison still finds it.
    const rewrapped = `EXTRA = "${val.slice(20_000, 20_300).replace(/\n/g, '\\n').replace(/"/g, '\\"')}"\n`;
    const error = await checkContamination(environment, [{ path: 'train.py', before, after: before + rewrapped }]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ResearchError.is(error, 'edit_refused')).toBe(true);
    expect((error as ResearchError).details).toMatchObject({ reason: 'contaminated', heldOut: 'harness/val.txt' });
    const honest = `${before}# Scale the residual branch by 1/sqrt(2 * n_layer), as GPT-2 does, to keep activations small.\n`;
    await expect(
      checkContamination(environment, [{ path: 'train.py', before, after: honest }]),
    ).resolves.toBeUndefined();
    // A short quote (under 64 characters) is not contamination.
    await expect(
      checkContamination(environment, [{ path: 'train.py', before, after: `${before}# ${val.slice(300, 340)}\n` }]),
    ).resolves.toBeUndefined();
  });
});
