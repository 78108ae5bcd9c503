/**
 * `SHARD_COUNT=2 npm start` against a Discord that recommends 2 shards and hosts two guilds (the
 * sandbox, on its own, as another machine would be): two shard processes under discord.js's
 * ShardingManager identify as [0,2] and [1,2], each guild is answered exactly once, a /block 3000
 * in one guild does not delay an /io in the other, the two IDENTIFYs are paced 5 s apart by the
 * shared identify slots (no op 9) even with no spawn delay, a killed shard process comes back
 * (identifying anew), and SIGTERM still drains and exits 0 within 10 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, shardIds } from '../src/config/env.js';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../src/discord/facts.js';
import { shardLines } from '../src/report/lag-report.js';
import { type SandboxThread, startSandboxThread } from '../src/sandbox/thread.js';
import { planShards, ShardPlanError } from '../src/shard/plan.js';
import { embedText } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

describe('SHARD_COUNT and SHARD_IDS', () => {
  it('reads ranges and lists, and refuses what is no shard list', () => {
    expect(shardIds('0-3')).toEqual([0, 1, 2, 3]);
    expect(shardIds('1,3')).toEqual([1, 3]);
    expect(shardIds('0-1, 4')).toEqual([0, 1, 4]);
    const problems: string[] = [];
    expect(shardIds('3-1', problems)).toBeNull();
    expect(shardIds('a', problems)).toBeNull();
    expect(problems).toHaveLength(2);
    expect(() => loadConfig({ SHARD_COUNT: 'many' }, false)).toThrow(ConfigError);
    expect(loadConfig({ SHARD_COUNT: 'auto', SHARD_IDS: '1' }, false).shards).toMatchObject({
      count: 'auto',
      ids: [1],
    });
  });

  it('plans from GET /gateway/bot for auto, and refuses ids outside the count', async () => {
    const fetch = async () =>
      ({
        url: 'ws://x',
        shards: 4,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 2 },
      }) as never;
    expect(await planShards({ count: null, ids: null }, fetch)).toBeNull();
    expect(await planShards({ count: 'auto', ids: null }, fetch)).toEqual({
      count: 4,
      ids: [0, 1, 2, 3],
      recommended: 4,
      maxConcurrency: 2,
    });
    expect((await planShards({ count: 2, ids: [1] }, fetch))?.ids).toEqual([1]);
    await expect(planShards({ count: 2, ids: [2] }, fetch)).rejects.toThrow(ShardPlanError);
    await expect(planShards({ count: null, ids: [0] }, fetch)).rejects.toThrow(/SHARD_IDS needs SHARD_COUNT/);
  });
});

describe('/lag’s shard lines', () => {
  it('name the answering shard and each other one, alive or down', () => {
    const text = shardLines(
      {
        shardId: 1,
        shardCount: 3,
        others: [
          { shardId: 2, p99Ms: 0, maxMs: 0, guilds: 0, at: 0, alive: false },
          { shardId: 0, p99Ms: 12, maxMs: 3_045, guilds: 2, at: 9_000, alive: true },
        ],
      },
      10_000,
    );
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^This answer comes from shard 1 of 3, in its own process/),
      expect.stringMatching(
        /^• shard 0: p99 12 ms · max 3045 ms over its last 10 s \(2 guilds, reported 1(\.0+)? s ago\)$/,
      ),
      '• shard 2: its process is down (being respawned)',
    ]);
  });
});

describe('SHARD_COUNT=2 npm start against a Discord with 2 shards and 2 guilds', () => {
  let sandbox: SandboxThread;
  let dir: string;
  let child: ChildProcess;
  const output = { text: '' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'looplab-sharding-'));
    // Discord's rules, its 5 s identify interval too; no spawn delay, so only the shared identify
    // slots (src/shard/identify.ts) keep the second shard from identifying too early.
    sandbox = await startSandboxThread({ shards: 2, guilds: 2, identifyIntervalMs: 5_000 });
    child = spawn('npm', ['start', '--silent'], {
      env: {
        ...process.env,
        DISCORD_TOKEN: sandbox.botToken,
        DISCORD_API_URL: sandbox.apiUrl,
        SHARD_COUNT: '2',
        SHARD_SPAWN_DELAY_MS: '0',
        METRICS_PORT: '0',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        POOL_SIZE: '1',
        COOLDOWN_MS: '0',
        MAIN_THREAD_BUDGET_MS: '60000',
        DATA_DIR: join(dir, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c) => {
      output.text += c;
    });
    child.stderr!.on('data', (c) => {
      output.text += c;
    });
    await until(() => output.text.includes('every shard process is ready'), 60_000, 'both shards');
    await until(() => output.text.includes('slash commands registered'), 10_000, 'the commands');
  }, 90_000);

  afterAll(async () => {
    // SIGTERM, not SIGKILL: npm passes it on and the manager stops its shard processes (none orphaned).
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const guild = (i: number) => sandbox.guilds![i]!;

  it('identifies twice, as [0,2] and [1,2], one process each, each log line with its shardId', async () => {
    const { events } = await sandbox.client.gateway();
    const shards = events.filter((e) => e.type === 'identified').map((e) => e.shard);
    expect(shards).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const lines = output.text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { pid: number; shardId?: number; msg: string });
    const connected = lines.filter((l) => l.msg === 'LoopLab is connected');
    expect(connected.map((l) => l.shardId).sort()).toEqual([0, 1]);
    expect(new Set(connected.map((l) => l.pid)).size).toBe(2);
    expect(connected.every((l) => l.pid !== child.pid)).toBe(true);
  });

  it('paces the two IDENTIFYs 5 s apart across the processes: Discord never answers op 9', async () => {
    const { events } = await sandbox.client.gateway();
    expect(events.filter((e) => e.type === 'identify-rate-limited')).toEqual([]);
    const [first, second] = events.filter((e) => e.type === 'identified').map((e) => e.at);
    expect(second! - first!).toBeGreaterThanOrEqual(5_000);
    // The second shard process said why it waited.
    expect(output.text).toMatch(/"msg":"shard \d waits \d+ ms for its identify slot/);
  });

  it('answers each guild’s /io exactly once, from the shard the guild belongs to', async () => {
    expect(new Set([guild(0).shard, guild(1).shard])).toEqual(new Set([0, 1]));
    for (const i of [0, 1]) {
      const view = await sandbox.client.invoke({
        user: `io${i}`,
        command: 'io',
        options: { ms: 50 },
        guild: i,
      });
      expect(view.status).toBe('deferred');
      expect(view.messages).toHaveLength(1);
      expect(view.refusals).toEqual([]);
      expect(view.channelId).toBe(guild(i).channelId);
      const answeredLines = () =>
        output.text
          .split('\n')
          .filter((l) => l.includes(view.id) && /"msg":"interaction (answered|deferred)"/.test(l));
      await until(() => answeredLines().length > 0, 5_000, 'the outcome logged');
      const answered = answeredLines();
      expect(answered).toHaveLength(1);
      expect(JSON.parse(answered[0]!).shardId).toBe(guild(i).shard);
    }
  });

  it('a /block 3000 in the first guild does not delay an /io sent 200 ms later in the second', async () => {
    const interactions = await sandbox.client.scenario([
      { afterMs: 0, user: 'blocker', command: 'block', options: { ms: 3_000 }, guild: 0 },
      { afterMs: 200, user: 'reader', command: 'io', options: { ms: 50 }, guild: 1 },
    ]);
    const io = await sandbox.client.waitSettled(interactions[1]!.id);
    expect(io.status).toBe('deferred');
    // Its own process was never blocked: deferred at once (one process: ~2.8 s later, or too late).
    expect(io.ackedAt! - io.createdAt).toBeLessThan(1_000);
    await sandbox.client.waitSettled(interactions[0]!.id);
  });

  it('/lag answers from its shard and shows the other shard’s loop delay', async () => {
    await until(
      async () => {
        const view = await sandbox.client.invoke({ user: 'lagger', command: 'lag', guild: 1 });
        const text = embedText(view.messages[0]!);
        const own = guild(1).shard;
        return new RegExp(`shard ${own} of 2`).test(text) && new RegExp(`• shard ${1 - own}: p99`).test(text);
      },
      10_000,
      '/lag with both shards',
    );
  });

  it('a killed shard process is respawned, identifies again, and its guild is answered again', async () => {
    const shard = guild(1).shard;
    const started = `"shard ${shard} process started"`;
    const line = output.text
      .split('\n')
      .filter((l) => l.includes(started))
      .at(-1)!;
    const pid = (JSON.parse(line) as { pid: number }).pid;
    const before = output.text.length;
    process.kill(pid, 'SIGKILL');
    await until(() => output.text.slice(before).includes(started), 15_000, 'the respawn');
    await until(() => output.text.slice(before).includes('LoopLab is connected'), 30_000, 'the shard again');
    const { events } = await sandbox.client.gateway();
    const identified = events.filter((e) => e.type === 'identified' && e.shard?.[0] === shard);
    expect(identified).toHaveLength(2);
    const view = await sandbox.client.invoke({ user: 'after', command: 'io', options: { ms: 50 }, guild: 1 });
    expect(view.status).toBe('deferred');
    expect(view.ackedAt! - view.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
    expect(view.messages).toHaveLength(1);
  }, 60_000);

  it('SIGTERM drains every shard process and exits 0 within 10 s', async () => {
    const at = Date.now();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(Date.now() - at).toBeLessThan(10_000);
    const stopped = output.text.split('\n').filter((l) => l.includes('"msg":"stopped"'));
    expect(stopped).toHaveLength(3);
  }, 15_000);
});
