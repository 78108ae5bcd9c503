/**
 * Two machines' worth of LoopLab on this one: process A runs shard 0 of 2, process B shard 1 of 2
 * (each `npm start`, each a ShardingManager with one shard process), one real PostgreSQL for the
 * classroom settings, one real @discordjs/proxy for REST, and the sandbox as Discord with 2 shards
 * and 4 guilds. Every guild is answered exactly once, by the process its shard lives in; a /block
 * 3000 on shard 0 does not delay shard 1; a killed shard process comes back; and a setting written
 * through A is in force once its guild's shard has moved to B.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../src/discord/facts.js';
import { type SandboxThread, startSandboxThread } from '../src/sandbox/thread.js';
import { embedText } from './support/looplab.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { handled, type LoopLabProcess, npmStart, shardsReady, startRestProxy } from './support/shards.js';
import { until } from './support/tiny-bot.js';

let sandbox: SandboxThread;
let postgres: TestPostgres;
let proxy: Awaited<ReturnType<typeof startRestProxy>>;
let dir: string;
let a: LoopLabProcess;
let b: LoopLabProcess;

/** Process A or B, running `shardIds` of 2, sharing the proxy and PostgreSQL. */
function machine(name: string, shardIds: string): LoopLabProcess {
  return npmStart({
    DISCORD_TOKEN: sandbox.botToken,
    DISCORD_API_URL: proxy.apiUrl,
    DATABASE_URL: postgres.url,
    SHARD_COUNT: '2',
    SHARD_IDS: shardIds,
    DATA_DIR: join(dir, name),
  });
}

const guilds = () => sandbox.guilds!;
const onShard = (shard: number) => guilds().filter((g) => g.shard === shard);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'looplab-topology-'));
  // Identify buckets of their own (max_concurrency 2): the two machines may identify together.
  [sandbox, postgres] = await Promise.all([
    startSandboxThread({ shards: 2, guilds: 4, maxConcurrency: 2, identifyIntervalMs: 1_000 }),
    startPostgres(),
  ]);
  proxy = await startRestProxy(sandbox.apiUrl);
  a = machine('a', '0');
  b = machine('b', '1');
  await Promise.all([shardsReady(a), shardsReady(b)]);
  await until(() => a.output.text.includes('slash commands registered'), 15_000, 'the commands');
}, 90_000);

afterAll(async () => {
  // SIGTERM, not SIGKILL: npm passes it on and the manager stops its shard processes (none orphaned).
  await Promise.all([a, b].map((p) => p?.stop()));
  await proxy?.close();
  await sandbox?.close();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two LoopLab processes, one PostgreSQL, one REST proxy, 2 shards, 4 guilds', () => {
  it('identifies shard 0 from A and shard 1 from B, and answers every guild exactly once through the proxy', async () => {
    const { events } = await sandbox.client.gateway();
    const identified = events.filter((e) => e.type === 'identified').map((e) => e.shard);
    expect(identified.sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(onShard(0)).toHaveLength(2);
    expect(onShard(1)).toHaveLength(2);
    for (const [i, guild] of guilds().entries()) {
      const view = await sandbox.client.invoke({
        user: `student${i}`,
        command: 'io',
        options: { ms: 30 },
        guild: i,
      });
      expect(view.status).toBe('deferred');
      expect(view.channelId).toBe(guild.channelId);
      expect(view.messages).toHaveLength(1);
      expect(view.refusals).toEqual([]);
      const owner = guild.shard === 0 ? a : b;
      const other = guild.shard === 0 ? b : a;
      await until(() => handled(owner, view.id).length === 1, 5_000, `guild ${i} handled by its shard`);
      expect(handled(owner, view.id)[0]!.shardId).toBe(guild.shard);
      expect(handled(other, view.id)).toHaveLength(0);
      // Its callback went through the one proxy, whichever process sent it.
      expect(proxy.requests.some((r) => r.path.includes(`/interactions/${view.id}/`))).toBe(true);
    }
  });

  it('a /block 3000 in a guild on shard 0 does not delay an /io in a guild on shard 1', async () => {
    const blocked = guilds().indexOf(onShard(0)[0]!);
    const free = guilds().indexOf(onShard(1)[0]!);
    const [block, io] = await sandbox.client.scenario([
      { afterMs: 0, user: 'blocker', command: 'block', options: { ms: 3_000 }, guild: blocked },
      { afterMs: 200, user: 'reader', command: 'io', options: { ms: 30 }, guild: free },
    ]);
    const view = await sandbox.client.waitSettled(io!.id);
    expect(view.status).toBe('deferred');
    expect(view.ackedAt! - view.createdAt).toBeLessThan(1_000);
    await sandbox.client.waitSettled(block!.id);
  });

  it('a killed shard process comes back and its guilds are answered again', async () => {
    const started = '"shard 1 process started"';
    const pid = (
      JSON.parse(
        b.output.text
          .split('\n')
          .filter((l) => l.includes(started))
          .at(-1)!,
      ) as { pid: number }
    ).pid;
    const before = b.output.text.length;
    process.kill(pid, 'SIGKILL');
    await until(() => b.output.text.slice(before).includes('LoopLab is connected'), 30_000, 'shard 1 back');
    for (const guild of onShard(1)) {
      const view = await sandbox.client.invoke({
        user: 'returning',
        command: 'io',
        options: { ms: 30 },
        guild: guild.id,
      });
      expect(view.status).toBe('deferred');
      expect(view.ackedAt! - view.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
      await until(() => handled(b, view.id).length === 1, 5_000, 'answered by B');
    }
  }, 45_000);

  it('a /classroom setting written via A is in force after its shard moves to B', async () => {
    const paused = onShard(0)[0]!;
    const pause = await sandbox.client.invoke({
      user: 'tess',
      command: 'classroom pause',
      teacher: true,
      guild: paused.id,
    });
    expect(embedText(pause.messages[0]!)).toMatch(/Demos are paused/);
    await until(() => handled(a, pause.id).length === 1, 5_000, 'A wrote it');

    // Swap: A now runs shard 1, B shard 0 (B serves the paused guild).
    const stops = await Promise.all([a.stop(), b.stop()]);
    for (const stop of stops) {
      expect(stop.code).toBe(0);
      expect(stop.afterMs).toBeLessThan(10_000);
    }
    a = machine('a', '1');
    b = machine('b', '0');
    await Promise.all([shardsReady(a), shardsReady(b)]);

    const refused = await sandbox.client.invoke({
      user: 'student',
      command: 'io',
      options: { ms: 30 },
      guild: paused.id,
    });
    expect(refused.messages[0]!.content).toMatch(/A teacher has paused the demos/);
    await until(() => b.lines().some((l) => l.interactionId === refused.id), 5_000, 'B answered it');
    expect(a.lines().some((l) => l.interactionId === refused.id)).toBe(false);
    // The other guild on that shard was never paused.
    const other = onShard(0)[1]!;
    const open = await sandbox.client.invoke({
      user: 'student',
      command: 'io',
      options: { ms: 30 },
      guild: other.id,
    });
    expect(open.status).toBe('deferred');
  }, 60_000);
});
