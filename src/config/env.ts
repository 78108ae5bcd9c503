import { availableParallelism } from 'node:os';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../discord/facts.js';

/** LoopLab's settings, read from the environment (and .env via dotenv) and checked once at start. */
export interface Config {
  /** Absent: sandbox mode (a built-in Discord-compatible server on 127.0.0.1). */
  discordToken: string | null;
  applicationId: string | null;
  /** REST base, e.g. https://discord.com/api (default) or http://127.0.0.1:PORT/api. */
  apiUrl: string | null;
  guildId: string | null;
  logLevel: LogLevel;
  /** LOG_FORMAT=pretty|json; default pretty on a TTY, JSON otherwise. */
  logFormat: 'pretty' | 'json';
  poolSize: number;
  maxBlockMs: number;
  /** Per-person pause after each demo ends (a teacher's brake); 0 = off. */
  cooldownMs: number;
  /** Demos that may run at once in one guild; more are told to wait their turn. */
  maxConcurrentDemos: number;
  /** Main-thread blocking a guild may spend per minute (/block, /yield, /compare); 60000 = no limit. */
  mainThreadBudgetMs: number;
  /** Where the embedded store keeps the classroom settings (created on first use). */
  dataDir: string;
  /** A PostgreSQL URL: the settings are kept there instead (shared by several processes). */
  databaseUrl: string | null;
  /** Register the slash commands at start (guild if GUILD_ID, else global). */
  deployOnStart: boolean;
  sandbox: {
    host: string;
    port: number;
    clockOffsetMs: number;
    heartbeatIntervalMs: number;
    /** SANDBOX_SHARDS: the shard count its GET /gateway/bot recommends. */
    shards: number;
    /** SANDBOX_GUILDS: how many guilds (each with its own #general). */
    guilds: number;
    /** SANDBOX_MAX_CONCURRENCY: session_start_limit.max_concurrency (identify buckets). */
    maxConcurrency: number;
    /** SANDBOX_IDENTIFY_INTERVAL_MS: one IDENTIFY per bucket per this long; null = its default. */
    identifyIntervalMs: number | null;
  };
  /**
   * Sharding. `count` null: SHARD_COUNT unset, one process as ever; `auto`: what GET /gateway/bot
   * recommends. `ids` null: every shard of the count (SHARD_IDS, e.g. `0-3` or `1,3`).
   * With more than one shard, each runs in its own process under discord.js's ShardingManager.
   */
  shards: { count: number | 'auto' | null; ids: number[] | null; spawnDelayMs: number };
  /**
   * The health and metrics server (GET /healthz, GET /metrics), on its own thread. `port` null:
   * METRICS_PORT=off; 0: any free port. `stallLimitMs`: /healthz says 503 once the main thread has
   * been stuck longer than this.
   */
  metrics: { host: string; port: number | null; stallLimitMs: number };
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const DEFAULT_MAX_BLOCK_MS = 10_000;
export const DEFAULT_MAX_CONCURRENT_DEMOS = 8;
/** A few seconds between one person's demos: a burst of repeats is refused, not run one by one. */
export const DEFAULT_COOLDOWN_MS = 5_000;
/** At most 20 s of main-thread blocking per minute and guild: one class can't freeze the bot all lesson. */
export const DEFAULT_MAIN_THREAD_BUDGET_MS = 20_000;

/** Prometheus' usual port for exporters; the health check of the Docker image asks it too. */
export const DEFAULT_METRICS_PORT = 9464;
/** A single stall this long is what /lag calls "loop blocked": past it, /healthz says unhealthy. */
export const DEFAULT_HEALTH_STALL_LIMIT_MS = 1_000;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`LoopLab's settings need attention:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const SNOWFLAKE = /^\d{17,20}$/;

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  isTty = process.stdout.isTTY === true,
): Config {
  const problems: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (it is "${raw}").`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined || raw === null) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (it is "${raw}").`);
    return fallback;
  };
  const snowflake = (name: string): string | null => {
    const raw = text(name);
    if (raw !== null && !SNOWFLAKE.test(raw)) {
      // Not echoed: a token pasted on the wrong line must not end up in a terminal or a log.
      problems.push(`${name} must be a Discord id: 17-20 digits (Developer Mode → right-click → Copy ID).`);
      return null;
    }
    return raw;
  };

  const discordToken = text('DISCORD_TOKEN');
  if (discordToken !== null && (/\s/.test(discordToken) || discordToken.length < 20)) {
    problems.push('DISCORD_TOKEN does not look like a bot token (Developer Portal → Bot → Reset Token).');
  }
  let apiUrl = text('DISCORD_API_URL');
  if (apiUrl !== null) {
    try {
      const url = new URL(apiUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      apiUrl = apiUrl.replace(/\/+$/, '').replace(/\/v\d+$/, '');
    } catch {
      problems.push(
        'DISCORD_API_URL must be an http(s) URL such as http://127.0.0.1:8080/api (not echoed: it may hold a secret).',
      );
      apiUrl = null;
    }
  }
  const logLevel = (text('LOG_LEVEL')?.toLowerCase() ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  const logFormatRaw = text('LOG_FORMAT')?.toLowerCase() ?? (isTty ? 'pretty' : 'json');
  if (logFormatRaw !== 'pretty' && logFormatRaw !== 'json')
    problems.push('LOG_FORMAT must be pretty or json.');

  const metricsPortRaw = text('METRICS_PORT')?.toLowerCase();
  const metricsPort =
    metricsPortRaw === 'off' || metricsPortRaw === 'false' || metricsPortRaw === 'none'
      ? null
      : int('METRICS_PORT', DEFAULT_METRICS_PORT, 0, 65_535);

  const config: Config = {
    discordToken,
    applicationId: snowflake('DISCORD_APPLICATION_ID'),
    apiUrl,
    guildId: snowflake('GUILD_ID'),
    logLevel: LOG_LEVELS.includes(logLevel) ? logLevel : 'info',
    logFormat: logFormatRaw === 'pretty' ? 'pretty' : 'json',
    poolSize: int('POOL_SIZE', Math.max(1, availableParallelism() - 1), 1, 64),
    maxBlockMs: int('MAX_BLOCK_MS', DEFAULT_MAX_BLOCK_MS, 100, 60_000),
    cooldownMs: int('COOLDOWN_MS', DEFAULT_COOLDOWN_MS, 0, 3_600_000),
    maxConcurrentDemos: int('MAX_CONCURRENT_DEMOS', DEFAULT_MAX_CONCURRENT_DEMOS, 1, 1_000),
    mainThreadBudgetMs: int('MAIN_THREAD_BUDGET_MS', DEFAULT_MAIN_THREAD_BUDGET_MS, 0, 60_000),
    dataDir: text('DATA_DIR') ?? './data',
    databaseUrl: postgresUrl(text('DATABASE_URL'), problems),
    deployOnStart: bool('DEPLOY_ON_START', true),
    sandbox: {
      host: text('SANDBOX_HOST') ?? '127.0.0.1',
      port: int('SANDBOX_PORT', 0, 0, 65_535),
      clockOffsetMs: int('SANDBOX_CLOCK_OFFSET_MS', 0, -86_400_000, 86_400_000),
      heartbeatIntervalMs: int('SANDBOX_HEARTBEAT_INTERVAL_MS', DEFAULT_HEARTBEAT_INTERVAL_MS, 100, 600_000),
      shards: int('SANDBOX_SHARDS', 1, 1, 16),
      guilds: int('SANDBOX_GUILDS', 1, 1, 64),
      maxConcurrency: int('SANDBOX_MAX_CONCURRENCY', 1, 1, 16),
      identifyIntervalMs:
        text('SANDBOX_IDENTIFY_INTERVAL_MS') === null
          ? null
          : int('SANDBOX_IDENTIFY_INTERVAL_MS', 0, 0, 60_000),
    },
    shards: {
      count: shardCount(text('SHARD_COUNT'), problems),
      ids: shardIds(text('SHARD_IDS'), problems),
      // No wait between spawns by default: the shared identify slots (src/shard/identify.ts) pace the
      // IDENTIFYs themselves, so discord.js's blind 5.5 s (SHARD_SPAWN_DELAY_MS) only slows the start.
      spawnDelayMs: int('SHARD_SPAWN_DELAY_MS', 0, 0, 60_000),
    },
    metrics: {
      host: text('METRICS_HOST') ?? '127.0.0.1',
      port: metricsPort,
      stallLimitMs: int('HEALTH_STALL_LIMIT_MS', DEFAULT_HEALTH_STALL_LIMIT_MS, 100, 600_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** DATABASE_URL must be a postgres:// URL; it is never echoed (it usually holds a password). */
function postgresUrl(raw: string | null, problems: string[]): string | null {
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return raw;
  } catch {
    // reported below
  }
  problems.push(
    'DATABASE_URL must be a PostgreSQL URL such as postgresql://user:password@127.0.0.1:5432/looplab (not echoed: it holds a password).',
  );
  return null;
}

/** The most shards one setting may name (Discord's largest bots run thousands; one machine far fewer). */
const MAX_SHARDS = 4_096;

/** SHARD_COUNT: a whole number from 1, or `auto` (what GET /gateway/bot recommends). */
function shardCount(raw: string | null, problems: string[]): number | 'auto' | null {
  if (raw === null) return null;
  if (raw.toLowerCase() === 'auto') return 'auto';
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 1 && value <= MAX_SHARDS) return value;
  problems.push(`SHARD_COUNT must be a whole number from 1 to ${MAX_SHARDS}, or auto (it is "${raw}").`);
  return null;
}

/** SHARD_IDS: which shards this machine runs, as ranges and single ids: `0-3`, `1,3`, `0-1,4`. */
export function shardIds(raw: string | null, problems: string[] = []): number[] | null {
  if (raw === null) return null;
  const ids = new Set<number>();
  for (const part of raw.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,4})(?:\s*-\s*(\d{1,4}))?$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (!match || to < from || to >= MAX_SHARDS) {
      problems.push(`SHARD_IDS must list shard ids and ranges such as 0-3 or 1,3 (it is "${raw}").`);
      return null;
    }
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}
