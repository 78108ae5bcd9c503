import type { Classroom } from '../classroom/classroom.js';
import type { Config } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { Holder } from '../measure/main-thread.js';
import type { Measurements } from '../measure/measurements.js';
import type { WorkPool } from '../work/pool.js';

/** A demo that is running now (for /lag and the watchdog). */
export type InFlightDemo = Holder & { startedAt: number; guildId: string | null };

/** The gateway connection as the bot sees it (read from discord.js by the wiring in src/bot/). */
export interface GatewayStatus {
  /** Heartbeat round trip in ms (-1 before the first ACK). */
  pingMs: number;
  /** When the last heartbeat ACK arrived (ms since the epoch), or null. */
  lastAckAt: number | null;
}

/** How one interaction ended, in the words the logs and /metrics use. */
export type InteractionOutcome =
  | 'answered'
  | 'deferred'
  | 'expired'
  | 'edit-expired'
  | 'acked-elsewhere'
  | 'refused'
  | 'failed';

/** Where the router reports each interaction's end (metrics); a no-op unless the wiring sets one. */
export interface Telemetry {
  interaction(event: {
    /** The command (or "component") it ran. */
    command: string;
    outcome: InteractionOutcome;
    /** Created → first response Discord accepted, ms; null when none was accepted. */
    firstResponseMs: number | null;
  }): void;
}

/** What every command and demo can use; built once when the bot starts. */
export interface BotContext {
  config: Config;
  logger: Logger;
  measure: Measurements;
  pool: WorkPool;
  inFlight: Map<string, InFlightDemo>;
  /** Each guild's settings and the teacher's brakes. */
  classroom: Classroom;
  telemetry: Telemetry;
  gateway(): GatewayStatus;
  startedAt: number;
  /** Under a ShardingManager (SHARD_COUNT > 1): this process's shard and the others' loop delay. */
  shards?: () => ShardsView;
}

/** What /lag shows of the shards: which one answers, and how the others' event loops are doing. */
export interface ShardsView {
  shardId: number;
  shardCount: number;
  others: Array<{
    shardId: number;
    p99Ms: number;
    maxMs: number;
    guilds: number;
    at: number;
    alive: boolean;
  }>;
}
