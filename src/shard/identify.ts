/**
 * IDENTIFY pacing shared by every shard process. Discord lets one IDENTIFY through per bucket
 * (shard_id % max_concurrency) per 5 s and answers one too early with op 9; discord.js's own
 * throttler only knows the shards of its process. This one reserves each slot in the settings
 * store, which all shard processes share: the SQLite file of a machine, or PostgreSQL for every
 * machine (by the database's clock). A store that cannot be asked costs only the pacing: the shard
 * identifies at once and discord.js retries after an op 9 as it always would.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';

/** Discord's identify interval per bucket. */
export const IDENTIFY_INTERVAL_MS = 5_000;
/** On top: an IDENTIFY is judged by when it arrives, and the network may bring two closer together. */
const IDENTIFY_MARGIN_MS = 250;

/** Reserves the next slot of a bucket and says how long to wait for it (the store's reserveIdentify). */
export type ReserveIdentify = (bucket: number, intervalMs: number) => Promise<number>;

/** What discord.js hands the builder (its @discordjs/ws WebSocketManager), as far as this needs it. */
interface GatewayInfoSource {
  fetchGatewayInformation(): Promise<{ session_start_limit: { max_concurrency: number } }>;
}

/** For discord.js's `ws.buildIdentifyThrottler`: one IDENTIFY per bucket per 5 s across processes. */
export function sharedIdentifyThrottler(reserve: ReserveIdentify, logger: Logger) {
  return async (manager: GatewayInfoSource) => {
    const info = await manager.fetchGatewayInformation();
    const maxConcurrency = Math.max(1, info.session_start_limit.max_concurrency || 1);
    return {
      async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
        const bucket = shardId % maxConcurrency;
        let waitMs: number;
        try {
          waitMs = await reserve(bucket, IDENTIFY_INTERVAL_MS + IDENTIFY_MARGIN_MS);
        } catch (error) {
          logger.warn(
            { shardId, bucket, err: error },
            'could not reserve an identify slot in the settings store; identifying now (Discord may answer op 9, and discord.js retries)',
          );
          return;
        }
        if (waitMs <= 0) return;
        logger.info(
          { shardId, bucket, waitMs },
          `shard ${shardId} waits ${waitMs} ms for its identify slot (one per 5 s per bucket, shared by every shard process)`,
        );
        await sleep(waitMs, undefined, { signal });
      },
    };
  };
}
