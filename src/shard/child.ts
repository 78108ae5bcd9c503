/**
 * The shard process's side of the manager: it reports its loop delay (for the others' /lag) and
 * hears theirs. A respawned process identifies anew rather than resuming its predecessor's
 * session: discord.js builds its client user and guild cache from READY, which a RESUME never
 * sends, so a fresh process that resumed would never become ready.
 */
import type { Client } from 'discord.js';
import { isShardMessage, type ShardLag, type ShardMessage } from './protocol.js';

/** How often a shard tells the manager its loop delay. */
const REPORT_INTERVAL_MS = 500;

export interface ShardPeers {
  /** The other shards' latest loop delay (the manager's relay, at most ~1 s old). */
  others(): ShardLag[];
  stop(): void;
}

export function joinManager(
  client: Client,
  shardId: number,
  sample: () => { p99Ms: number; maxMs: number },
  /** The manager is gone (its IPC channel closed): a shard process must not live on as an orphan. */
  onOrphaned: () => void,
): ShardPeers {
  let others: ShardLag[] = [];
  const send = (message: ShardMessage) => {
    if (process.connected) process.send?.(message, undefined, {}, () => {});
  };
  const onMessage = (message: unknown) => {
    if (isShardMessage(message) && message.type === 'lags') {
      others = message.lags.filter((l) => l.shardId !== shardId);
    }
  };
  process.on('message', onMessage);
  process.once('disconnect', onOrphaned);
  const timer = setInterval(() => {
    const { p99Ms, maxMs } = sample();
    send({
      looplab: 1,
      type: 'lag',
      lag: { shardId, p99Ms, maxMs, guilds: client.guilds.cache.size, at: Date.now(), alive: true },
    });
  }, REPORT_INTERVAL_MS);
  timer.unref();
  return {
    others: () => others,
    stop() {
      clearInterval(timer);
      process.off('message', onMessage);
      process.off('disconnect', onOrphaned);
    },
  };
}
