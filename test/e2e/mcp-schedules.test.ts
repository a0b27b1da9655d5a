// Recurring searches over MCP: run_search with a schedule starts one now and more on every tick, survives a
// restart of the server, and stops with cancel_schedule. Bad schedules are refused before anything is stored.
import { afterEach, describe, expect, it } from 'vitest';

import { callTool, connectInMemory } from '../helpers/mcp-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestServer } from '../helpers/test-server.js';

type Server = Awaited<ReturnType<typeof createTestServer>>;

const open: { server: Server; connection: Awaited<ReturnType<typeof connectInMemory>> }[] = [];
afterEach(async () => {
  for (const { server, connection } of open.splice(0)) {
    await connection.close();
    await server.close();
  }
});

async function start(home: string) {
  const server = await createTestServer({ home, config: { preflight: { smoke: false } } });
  const connection = await connectInMemory(server);
  open.push({ server, connection });
  return {
    server,
    call: (name: string, args: Record<string, unknown> = {}) => callTool(connection.client, name, args),
  };
}

async function searchesOf(call: Awaited<ReturnType<typeof start>>['call']) {
  const listed = await call('list_searches');
  return listed.data.schedules as { schedule_id: string; status: string; search_ids: string[] }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scheduled searches', () => {
  it('start now, recur on every tick, survive a restart, and stop when cancelled', async () => {
    const home = await tempDir();
    const first = await start(home);
    const started = await first.call('run_search', {
      environment: 'toy',
      strategy: 'best-of-n',
      budget: 1,
      schedule: '1s',
    });
    expect(started.isError, started.text).toBe(false);
    const schedule = started.data.schedule as { schedule_id: string; status: string; search_ids: string[] };
    expect(schedule).toMatchObject({ status: 'active', search_ids: [started.data.search_id] });
    expect(started.text).toMatch(/cancel_schedule/);
    await sleep(3_500);
    const ticked = (await searchesOf(first.call))[0];
    expect(ticked?.search_ids.length).toBeGreaterThanOrEqual(2);

    // A new server on the same data directory picks the schedule up again.
    const { server, connection } = open.splice(0)[0] as (typeof open)[number];
    await connection.close();
    await server.close();
    const second = await start(home);
    const before = (await searchesOf(second.call))[0]?.search_ids.length ?? 0;
    await sleep(3_000);
    const after = (await searchesOf(second.call))[0]?.search_ids.length ?? 0;
    expect(after).toBeGreaterThan(before);

    const cancelled = await second.call('cancel_schedule', { schedule_id: schedule.schedule_id });
    expect(cancelled.data).toMatchObject({ status: 'cancelled' });
    await sleep(500); // a search that started just before the cancel is recorded by now
    const count = (await searchesOf(second.call))[0]?.search_ids.length;
    await sleep(2_500);
    const final = (await searchesOf(second.call))[0];
    expect(final?.search_ids.length).toBe(count);
    expect(final?.status).toBe('cancelled');
  });

  it('refuses a schedule that is neither cron nor an interval, storing nothing', async () => {
    const { call } = await start(await tempDir());
    const refused = await call('run_search', { environment: 'toy', schedule: 'whenever you like' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/neither a cron expression .* nor an interval/);
    expect(await searchesOf(call)).toEqual([]);
    expect((await call('list_searches')).data.searches).toEqual([]);
    const unknown = await call('cancel_schedule', { schedule_id: 'sched_nope' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/list_searches/);
  });
});
