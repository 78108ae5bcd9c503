/**
 * Shards in processes of their own, under discord.js's ShardingManager: each child runs this same
 * program (src/main.ts) for one shard, so one guild's /block stalls only its shard's event loop.
 * A child that dies is respawned (it identifies anew: see child.ts); the manager relays
 * every shard's loop delay to the others for /lag. The manager itself runs no bot.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { type Shard, ShardingManager } from 'discord.js';
import type { Logger } from '../log/logger.js';
import type { ShardPlan } from './plan.js';
import { isShardMessage, type ShardLag, type ShardMessage } from './protocol.js';

export interface ShardManagerOptions {
  /** The program each shard process runs (this one). */
  file: string;
  /** Node flags for the children (`--import tsx` in development). */
  execArgv: string[];
  token: string;
  plan: ShardPlan;
  /** Extra environment for every child (DISCORD_API_URL, GUILD_ID…). */
  env: Record<string, string | undefined>;
  /** And per shard (METRICS_PORT, DEPLOY_ON_START). */
  envFor: (shardId: number, index: number) => Record<string, string | undefined>;
  /** Between two spawns: discord.js waits 5.5 s, one IDENTIFY per 5 s per bucket. */
  spawnDelayMs: number;
  logger: Logger;
  /** Told when the shards cannot be kept running (a crash loop): the manager should stop. */
  onFatal: (error: Error) => void;
}

export interface RunningShards {
  manager: ShardingManager;
  /** The latest loop delay each shard reported. */
  lags(): ShardLag[];
  /** SIGTERM to every child (no respawn), each drains; SIGKILL what is left after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

/** A child that keeps dying this often within a minute is a crash loop, not bad luck. */
const MAX_DEATHS_PER_MINUTE = 5;
/** How often the manager sends every shard the others' loop delay. */
const RELAY_INTERVAL_MS = 1_000;

export async function startShardManager(options: ShardManagerOptions): Promise<RunningShards> {
  const { plan, logger } = options;
  const manager = new ShardingManager(options.file, {
    totalShards: plan.count,
    shardList: plan.ids,
    mode: 'process',
    respawn: true,
    token: options.token,
    execArgv: options.execArgv,
  });
  const lags = new Map<number, ShardLag>();
  const deaths: number[] = [];
  let stopping = false;

  manager.on('shardCreate', (shard: Shard) => {
    const index = plan.ids.indexOf(shard.id);
    // discord.js hands the child SHARDS, SHARD_COUNT and DISCORD_TOKEN itself; ours come on top.
    const env = shard.env as Record<string, string | undefined>;
    Object.assign(env, options.env, options.envFor(shard.id, index));
    shard.on('message', (message: unknown) => {
      if (!isShardMessage(message)) return;
      if (message.type === 'lag') lags.set(shard.id, { ...message.lag, shardId: shard.id });
    });
    shard.on('spawn', (child) =>
      logger.info(
        { shardId: shard.id, pid: (child as ChildProcess).pid },
        `shard ${shard.id} process started`,
      ),
    );
    shard.on('death', (process) => {
      const child = process as ChildProcess;
      const last = lags.get(shard.id);
      if (last) lags.set(shard.id, { ...last, alive: false });
      if (stopping) return;
      const now = Date.now();
      deaths.push(now);
      while (deaths.length > 0 && (deaths[0] ?? 0) < now - 60_000) deaths.shift();
      logger.warn(
        { shardId: shard.id, pid: child.pid, exitCode: child.exitCode, signal: child.signalCode },
        `shard ${shard.id} process died; respawning it`,
      );
      if (deaths.length > MAX_DEATHS_PER_MINUTE) {
        options.onFatal(new Error(`shard processes died ${deaths.length} times in a minute: giving up`));
      }
    });
    shard.on('error', (error: Error) =>
      logger.error({ shardId: shard.id, err: error }, 'shard process error'),
    );
  });

  const relay = setInterval(() => {
    const message: ShardMessage = { looplab: 1, type: 'lags', lags: [...lags.values()] };
    for (const shard of manager.shards.values()) {
      if (shard.process?.connected) shard.send(message).catch(() => {});
    }
  }, RELAY_INTERVAL_MS);
  relay.unref();

  await manager.spawn({ amount: plan.count, delay: options.spawnDelayMs, timeout: 60_000 });

  return {
    manager,
    lags: () => [...lags.values()],
    async stop(timeoutMs) {
      stopping = true;
      clearInterval(relay);
      manager.respawn = false;
      const children = [...manager.shards.values()]
        .map((shard) => shard.process)
        .filter((child): child is ChildProcess => child !== null && child.exitCode === null);
      await Promise.all(
        children.map(async (child) => {
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
