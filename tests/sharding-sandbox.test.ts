/**
 * The sandbox shards as Discord does: GET /gateway/bot recommends SANDBOX_SHARDS with a
 * session_start_limit, IDENTIFY's `shard` is checked (4010, 4011), READY lists only that shard's
 * guilds, a guild's events reach only the shard `(guild_id >> 22) % count` (DMs: shard 0), and a
 * bucket identifies once per interval. Spoken to over a raw WebSocket, as the protocol is the point.
 */
import { GatewayCloseCodes, GatewayOpcodes } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningSandbox, startSandbox } from '../src/sandbox/server.js';
import { shardOf } from '../src/sandbox/world.js';
import { until } from './support/tiny-bot.js';

const INTERVAL_MS = 400;

interface Connection {
  ws: WebSocket;
  packets: Array<{ op: number; t?: string; d?: Record<string, unknown> | boolean | null }>;
  closed: Promise<number>;
}

function connect(sandbox: RunningSandbox): Promise<Connection> {
  const ws = new WebSocket(sandbox.gatewayUrl);
  const packets: Connection['packets'] = [];
  ws.on('message', (raw) => packets.push(JSON.parse(String(raw))));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, packets, closed }));
    ws.once('error', reject);
  });
}

function identify(c: Connection, token: string, shard?: unknown) {
  c.ws.send(
    JSON.stringify({
      op: GatewayOpcodes.Identify,
      d: { token, intents: 1, properties: { os: 'linux', browser: 't', device: 't' }, shard },
    }),
  );
}

const dispatches = (c: Connection, t: string) => c.packets.filter((p) => p.t === t);

describe('a sandbox with 2 shards and 4 guilds', () => {
  let sandbox: RunningSandbox;
  const open: Connection[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ shards: 2, guilds: 4, identifyIntervalMs: INTERVAL_MS });
  });
  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await sandbox?.close();
  });

  it('recommends 2 shards with a session start limit, and deals the guilds out over both', async () => {
    const res = await fetch(`${sandbox.restUrl}/gateway/bot`, {
      headers: { authorization: `Bot ${sandbox.botToken}` },
    });
    const body = (await res.json()) as { shards: number; session_start_limit: Record<string, number> };
    expect(body.shards).toBe(2);
    expect(body.session_start_limit).toMatchObject({ total: 1000, max_concurrency: 1 });
    expect(sandbox.guilds).toHaveLength(4);
    const shards = sandbox.guilds!.map((g) => g.shard);
    expect(shards.filter((s) => s === 0)).toHaveLength(2);
    expect(shards.filter((s) => s === 1)).toHaveLength(2);
    for (const g of sandbox.guilds!) expect(shardOf(g.id, 2)).toBe(g.shard);
    expect(new Set(sandbox.guilds!.map((g) => g.channelId)).size).toBe(4);
  });

  it('READY lists only the shard’s guilds; a second IDENTIFY in the same bucket too soon gets op 9', async () => {
    const a = await connect(sandbox);
    const b = await connect(sandbox);
    open.push(a, b);
    identify(a, sandbox.botToken, [0, 2]);
    await until(() => dispatches(a, 'READY').length === 1, 3_000, 'READY on shard 0');
    identify(b, sandbox.botToken, [1, 2]);
    await until(() => b.packets.some((p) => p.op === GatewayOpcodes.InvalidSession), 3_000, 'op 9');
    expect(dispatches(b, 'READY')).toHaveLength(0);
    const before = Date.now();
    // Tried again after the interval, it is let in.
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 50));
    identify(b, sandbox.botToken, [1, 2]);
    await until(() => dispatches(b, 'READY').length === 1, 3_000, 'READY on shard 1');
    expect(Date.now() - before).toBeGreaterThanOrEqual(INTERVAL_MS);

    const ready0 = dispatches(a, 'READY')[0]!.d as { shard: number[]; guilds: Array<{ id: string }> };
    const ready1 = dispatches(b, 'READY')[0]!.d as { shard: number[]; guilds: Array<{ id: string }> };
    expect(ready0.shard).toEqual([0, 2]);
    expect(ready1.shard).toEqual([1, 2]);
    const of = (shard: number) => sandbox.guilds!.filter((g) => g.shard === shard).map((g) => g.id);
    expect(ready0.guilds.map((g) => g.id)).toEqual(of(0));
    expect(ready1.guilds.map((g) => g.id)).toEqual(of(1));
    await until(() => dispatches(b, 'GUILD_CREATE').length === 2, 3_000, 'GUILD_CREATEs');
    expect(dispatches(a, 'GUILD_CREATE').map((p) => (p.d as { id: string }).id)).toEqual(of(0));
    expect(dispatches(b, 'GUILD_CREATE').map((p) => (p.d as { id: string }).id)).toEqual(of(1));
    const events = sandbox.gateway.events;
    expect(events.filter((e) => e.type === 'identify-rate-limited')).toHaveLength(1);
  });

  it('a guild’s interaction reaches only its shard; a DM reaches shard 0', async () => {
    const [a, b] = open as [Connection, Connection];
    const client = await import('../src/sandbox/client.js');
    const api = new client.SandboxClient(sandbox.baseUrl);
    for (const [index, guild] of sandbox.guilds!.entries()) {
      const { id } = await api.send({ user: 'alice', command: 'io', validate: false, guild: guild.id });
      const target = guild.shard === 0 ? a : b;
      const other = guild.shard === 0 ? b : a;
      await until(
        () => dispatches(target, 'INTERACTION_CREATE').some((p) => (p.d as { id: string }).id === id),
        3_000,
        `guild ${index} on shard ${guild.shard}`,
      );
      const payload = dispatches(target, 'INTERACTION_CREATE').find((p) => (p.d as { id: string }).id === id)!
        .d as { guild_id: string; channel_id: string };
      expect(payload.guild_id).toBe(guild.id);
      expect(payload.channel_id).toBe(guild.channelId);
      expect(dispatches(other, 'INTERACTION_CREATE').some((p) => (p.d as { id: string }).id === id)).toBe(
        false,
      );
    }
    // By index too; an unknown guild is refused.
    const byIndex = await api.send({ user: 'bob', command: 'io', validate: false, guild: 3 });
    const third = sandbox.guilds![3]!;
    await until(
      () =>
        dispatches(third.shard === 0 ? a : b, 'INTERACTION_CREATE').some(
          (p) => (p.d as { id: string }).id === byIndex.id,
        ),
      3_000,
      'by index',
    );
    await expect(api.send({ user: 'bob', command: 'io', validate: false, guild: '123' })).rejects.toThrow(
      /guild/,
    );
    const dm = await api.send({ user: 'carol', command: 'io', validate: false, dm: true });
    await until(
      () => dispatches(a, 'INTERACTION_CREATE').some((p) => (p.d as { id: string }).id === dm.id),
      3_000,
      'the DM on shard 0',
    );
    expect(dispatches(b, 'INTERACTION_CREATE').some((p) => (p.d as { id: string }).id === dm.id)).toBe(false);
  });

  it('closes 4010 for a shard id outside its count', async () => {
    for (const shard of [
      [2, 2],
      [-1, 2],
      [0, 0],
      ['0', 2],
    ]) {
      const c = await connect(sandbox);
      identify(c, sandbox.botToken, shard);
      expect(await c.closed).toBe(GatewayCloseCodes.InvalidShard);
    }
  });
});

describe('Discord’s guilds-per-shard limit', () => {
  it('closes 4011 (sharding required) when a shard would hold too many guilds', async () => {
    const sandbox = await startSandbox({ shards: 2, guilds: 2, maxGuildsPerShard: 1, identifyIntervalMs: 0 });
    try {
      const c = await connect(sandbox);
      identify(c, sandbox.botToken, [0, 1]);
      expect(await c.closed).toBe(GatewayCloseCodes.ShardingRequired);
      const d = await connect(sandbox);
      identify(d, sandbox.botToken, [0, 2]);
      await until(() => dispatches(d, 'READY').length === 1, 3_000, 'READY with enough shards');
      d.ws.terminate();
    } finally {
      await sandbox.close();
    }
  });

  it('the default sandbox is one shard, one guild, unthrottled: two IDENTIFYs back to back are both let in', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.guilds).toHaveLength(1);
      expect(sandbox.shards).toBe(1);
      const [c, d] = [await connect(sandbox), await connect(sandbox)];
      identify(c, sandbox.botToken);
      identify(d, sandbox.botToken);
      await until(
        () => dispatches(c, 'READY').length === 1 && dispatches(d, 'READY').length === 1,
        3_000,
        'READY',
      );
      expect((dispatches(c, 'READY')[0]!.d as { shard: number[] }).shard).toEqual([0, 1]);
      c.ws.terminate();
      d.ws.terminate();
    } finally {
      await sandbox.close();
    }
  });
});
