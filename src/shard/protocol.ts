/** What a shard process and its manager say to each other over IPC (beside discord.js's own messages). */

/** One shard's event loop, as it reported it last. */
export interface ShardLag {
  shardId: number;
  /** Loop delay over its last 10 s. */
  p99Ms: number;
  maxMs: number;
  guilds: number;
  /** When it measured (ms since the epoch). */
  at: number;
  /** False once its process died (until the respawned one reports). */
  alive: boolean;
}

export type ShardMessage =
  | { looplab: 1; type: 'lag'; lag: ShardLag }
  | { looplab: 1; type: 'lags'; lags: ShardLag[] };

export function isShardMessage(message: unknown): message is ShardMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { looplab?: unknown }).looplab === 1 &&
    typeof (message as { type?: unknown }).type === 'string'
  );
}
