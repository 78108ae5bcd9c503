/**
 * How many shards, and which of them this machine runs: SHARD_COUNT (a number, or `auto` for what
 * GET /gateway/bot recommends) and SHARD_IDS (default all). Discord's numbers, not ours: `auto` asks
 * the configured API (Discord, a proxy or the sandbox) through @discordjs/rest, as discord.js would.
 */
import { REST } from '@discordjs/rest';
import { type RESTGetAPIGatewayBotResult, Routes } from 'discord-api-types/v10';
import { API_VERSION } from '../discord/facts.js';

export interface ShardSetting {
  count: number | 'auto' | null;
  ids: number[] | null;
}

export interface ShardPlan {
  /** The total shard count every process must agree on (IDENTIFY's num_shards). */
  count: number;
  /** The shards this machine runs, each in its own process when count > 1. */
  ids: number[];
  /** What GET /gateway/bot said, when it was asked (`auto`). */
  recommended: number | null;
  maxConcurrency: number | null;
}

export class ShardPlanError extends Error {}

export type GatewayBotFetcher = () => Promise<RESTGetAPIGatewayBotResult>;

/** GET /gateway/bot of `apiUrl` (…/api; default Discord's) with the bot token, by @discordjs/rest. */
export function gatewayBotFetcher(token: string, apiUrl: string | null | undefined): GatewayBotFetcher {
  return async () => {
    const rest = new REST({ version: String(API_VERSION), ...(apiUrl ? { api: apiUrl } : {}) }).setToken(
      token,
    );
    return (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  };
}

/** Null when SHARD_COUNT is unset: LoopLab runs as one process, as it always did. */
export async function planShards(
  setting: ShardSetting,
  fetchGatewayBot: GatewayBotFetcher,
): Promise<ShardPlan | null> {
  if (setting.count === null) {
    if (setting.ids !== null) {
      throw new ShardPlanError(
        'SHARD_IDS needs SHARD_COUNT (a number, or auto): every process must agree on the total.',
      );
    }
    return null;
  }
  let count: number;
  let recommended: number | null = null;
  let maxConcurrency: number | null = null;
  if (setting.count === 'auto') {
    const info = await fetchGatewayBot();
    recommended = info.shards;
    maxConcurrency = info.session_start_limit?.max_concurrency ?? null;
    if (!Number.isInteger(recommended) || recommended < 1) {
      throw new ShardPlanError(
        `GET /gateway/bot recommended ${String(info.shards)} shards, which is no shard count.`,
      );
    }
    count = recommended;
  } else count = setting.count;
  const ids = setting.ids ?? Array.from({ length: count }, (_, i) => i);
  const outside = ids.filter((id) => id >= count);
  if (outside.length > 0) {
    throw new ShardPlanError(
      `SHARD_IDS names shard ${outside.join(', ')}, but SHARD_COUNT is ${count} (ids run from 0 to ${count - 1}).`,
    );
  }
  if (ids.length === 0) throw new ShardPlanError('SHARD_IDS names no shard.');
  return { count, ids, recommended, maxConcurrency };
}

/** Under discord.js's ShardingManager, a child process is given its shard in the environment. */
export function shardOfThisProcess(
  env: NodeJS.ProcessEnv = process.env,
): { id: number; count: number } | null {
  if (env.SHARDING_MANAGER !== 'true' || env.SHARDS === undefined) return null;
  const id = Number(JSON.parse(env.SHARDS));
  const count = Number(env.SHARD_COUNT);
  if (!Number.isInteger(id) || !Number.isInteger(count)) return null;
  return { id, count };
}
