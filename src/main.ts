/**
 * `npm start`: runs LoopLab. With DISCORD_TOKEN it connects to Discord (or DISCORD_API_URL);
 * without, it starts the built-in Discord-compatible sandbox on 127.0.0.1 — on its own thread —
 * and runs the very same discord.js code against it.
 */
import 'dotenv/config';
import { createBot, type LoopLabBot } from './bot/create-bot.js';
import { ConfigError, loadConfig } from './config/env.js';
import { isLoopbackHost } from './discord/paths.js';
import { createLogger, prettyAvailable } from './log/logger.js';
import { ownerOf, trackPromiseOwners } from './measure/attribution.js';
import { loopHealth } from './measure/lag.js';
import { type ClassroomSandbox, startClassroomSandbox } from './page/link.js';
import { prepareFonts } from './report/charts/png.js';
import type { SandboxThread } from './sandbox/thread.js';
import { joinManager, type ShardPeers } from './shard/child.js';
import { sharedIdentifyThrottler } from './shard/identify.js';
import { type RunningShards, startShardManager } from './shard/manager.js';
import {
  gatewayBotFetcher,
  planShards,
  type ShardPlan,
  ShardPlanError,
  shardOfThisProcess,
} from './shard/plan.js';
import { StoreError } from './store/settings-store.js';
import { startTelemetry, TelemetryError, type TelemetryService } from './telemetry/telemetry.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`${error.message}\nSee .env.example for every setting.`);
    process.exit(2);
  }
  throw error;
}

// pino-pretty is a development dependency: without it (a production install) every log line is JSON,
// the watchdog thread's included.
if (config.logFormat === 'pretty' && !prettyAvailable()) config = { ...config, logFormat: 'json' };
/** Under discord.js's ShardingManager this process runs one shard: every log line says which. */
const thisShard = shardOfThisProcess();
const rootLogger = createLogger({ level: config.logLevel, format: config.logFormat });
const logger = thisShard ? rootLogger.child({ shardId: thisShard.id }) : rootLogger;

/** In-flight work gets this long to finish at shutdown; the whole stop stays well under 10 s. */
const SHUTDOWN_GRACE_MS = 7_000;
/** If an orderly stop hangs anyway, leave regardless. */
const SHUTDOWN_HARD_LIMIT_MS = 9_500;

let sandbox: SandboxThread | null = null;
/** The sandbox with the classroom page mounted (sandbox mode only). */
let classroomSandbox: ClassroomSandbox | null = null;
let bot: LoopLabBot | null = null;
let telemetry: TelemetryService | null = null;
let stopping = false;
/** SHARD_COUNT > 1: this process is the ShardingManager; each shard runs in a child process. */
let shardProcesses: RunningShards | null = null;
let shardPeers: ShardPeers | null = null;

async function shutdown(reason: string, code = 0) {
  if (stopping) return;
  stopping = true;
  telemetry?.setStopping();
  logger.info({ reason, graceMs: SHUTDOWN_GRACE_MS }, 'shutting down: finishing what is in flight');
  setTimeout(() => {
    logger.error('shutdown took too long; exiting anyway');
    logger.flush?.();
    process.exit(code || 1);
  }, SHUTDOWN_HARD_LIMIT_MS).unref();
  try {
    const drained = await bot?.stop(SHUTDOWN_GRACE_MS);
    if (drained) logger.info(drained, 'in-flight interactions: finished, or told the bot restarted');
  } catch (error) {
    logger.warn({ err: error }, 'error while stopping the bot');
  }
  // Under the ShardingManager each shard process drains on its own SIGTERM; Discord outlives them.
  shardPeers?.stop();
  await shardProcesses?.stop(SHUTDOWN_GRACE_MS + 1_500).catch(() => {});
  // The sandbox is Discord here: it closes last, after the bot's final edits reached it.
  await sandbox?.close().catch(() => {});
  await telemetry?.close().catch(() => {});
  logger.info({ code }, 'stopped');
  logger.flush?.();
  process.exit(code);
}

// Installed before anything starts, so a signal during start-up or login is an orderly stop too.
// `on`, not `once`: Ctrl+C reaches both npm and the bot, and npm forwards it too; the second copy
// must not kill the drain the first one started.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
trackPromiseOwners();
process.on('unhandledRejection', (reason, promise) => {
  const owner = ownerOf(promise);
  logger.error(
    { err: reason, ...(owner ? { interactionId: owner.interactionId, command: owner.command } : {}) },
    'unhandled promise rejection',
  );
});
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception: stopping');
  void shutdown('uncaught exception', 1);
});

/** Log lines that wait for the sandbox banner (which must print the classroom page's URL first). */
const afterBanner: Array<() => void> = [];

// Health and metrics first: /healthz answers "starting" while the rest comes up.
if (config.metrics.port !== null) {
  try {
    telemetry = await startTelemetry({
      host: config.metrics.host,
      port: config.metrics.port,
      stallLimitMs: config.metrics.stallLimitMs,
      onError: (error) => logger.error({ err: error }, 'telemetry thread'),
    });
    const service = telemetry;
    const tell = () =>
      logger.info(
        { url: service.url, stallLimitMs: config.metrics.stallLimitMs },
        `health and metrics on ${reachable(service.url)}/healthz and /metrics`,
      );
    // In sandbox mode the classroom page is the first URL printed; this one follows the banner.
    if (config.discordToken) tell();
    else afterBanner.push(tell);
  } catch (error) {
    if (!(error instanceof TelemetryError)) throw error;
    // The bot still runs; whoever checks its health will find nothing there and say so.
    logger.error({ code: error.code }, `${error.message}; running without /healthz and /metrics`);
  }
}

// A chart with no font has no text at all, and says nothing: check it once, at start.
try {
  const fonts = await prepareFonts();
  if (!fonts.ok) {
    logger.warn(
      { configured: fonts.configured },
      'no font loads: the charts will have no text. Install fonts-dejavu-core (or any TTF) and point LOOPLAB_FONT_FILE at it',
    );
  } else if (fonts.fallback.length > 0) {
    logger.info(
      { fontFiles: fonts.fallback },
      'the system font lookup found no font; the charts use these files',
    );
  }
} catch (error) {
  logger.warn({ err: error }, 'could not check the chart fonts');
}

if (!config.discordToken) {
  if (!isLoopbackHost(config.sandbox.host)) {
    logger.warn(
      { host: config.sandbox.host },
      'SANDBOX_HOST exposes the sandbox beyond this machine; its control API has no login (anyone who reaches it can act as any user)',
    );
  }
  try {
    classroomSandbox = await startClassroomSandbox(
      {
        host: config.sandbox.host,
        port: config.sandbox.port,
        clockOffsetMs: config.sandbox.clockOffsetMs,
        heartbeatIntervalMs: config.sandbox.heartbeatIntervalMs,
        shards: config.sandbox.shards,
        guilds: config.sandbox.guilds,
        maxConcurrency: config.sandbox.maxConcurrency,
        ...(config.sandbox.identifyIntervalMs !== null
          ? { identifyIntervalMs: config.sandbox.identifyIntervalMs }
          : {}),
      },
      {
        onCrash(error) {
          logger.fatal({ err: error }, 'the built-in Discord sandbox crashed; stopping');
          void shutdown('sandbox crash', 1);
        },
      },
    );
    sandbox = classroomSandbox.sandbox;
  } catch (error) {
    const message = (error as Error).message;
    console.error(
      `The sandbox could not start on ${config.sandbox.host}:${config.sandbox.port}: ${
        /EADDRINUSE/.test(message)
          ? 'that port is in use (set another SANDBOX_PORT, or 0 for any free port)'
          : message
      }`,
    );
    process.exit(1);
  }
}

// SHARD_COUNT: one process per shard under discord.js's ShardingManager (this one runs no bot then).
if (!thisShard) {
  const token = sandbox?.botToken ?? (config.discordToken as string);
  const apiUrl = sandbox ? reachable(sandbox.apiUrl) : config.apiUrl;
  let plan: ShardPlan | null = null;
  try {
    plan = await planShards(config.shards, gatewayBotFetcher(token, apiUrl));
  } catch (error) {
    console.error(
      error instanceof ShardPlanError
        ? error.message
        : `Could not ask ${sandbox ? 'the built-in sandbox' : apiSetting()} how many shards to run (SHARD_COUNT=auto): ${whyUnreachable(error)}`,
    );
    await sandbox?.close();
    process.exit(error instanceof ShardPlanError ? 2 : 1);
  }
  if (plan && plan.count > 1) {
    await runShardManager(plan, token, apiUrl);
    // The shard processes run until a signal stops them all (shutdown, above).
    await new Promise<never>(() => setInterval(() => {}, 1 << 30));
  }
  // One process: discord.js reads SHARD_COUNT and SHARDS from the environment too; make them agree.
  // (An empty SHARD_COUNT= from .env would be shard count 0 to discord.js.)
  if (plan) process.env.SHARD_COUNT = String(plan.count);
  else delete process.env.SHARD_COUNT;
  delete process.env.SHARDS;
}

try {
  bot = await createBot({
    config,
    logger,
    token: sandbox?.botToken ?? (config.discordToken as string),
    apiUrl: sandbox ? reachable(sandbox.apiUrl) : config.apiUrl,
    ...(telemetry ? { telemetry } : {}),
    // A shard process paces its IDENTIFY with every other shard process (through the settings store).
    ...(thisShard ? { identifyThrottler: (reserve) => sharedIdentifyThrottler(reserve, logger) } : {}),
  });
} catch (error) {
  // A settings store that cannot be opened is a clear stop, never a silent reset.
  if (!(error instanceof StoreError)) throw error;
  logger.fatal({ err: error }, 'the settings store cannot be used');
  console.error(error.message);
  await sandbox?.close();
  process.exit(2);
}

if (thisShard) {
  const measure = bot.ctx.measure;
  const peers = joinManager(
    bot.client,
    thisShard.id,
    () => {
      const { last10s } = loopHealth(measure);
      return { p99Ms: last10s.p99, maxMs: last10s.max };
    },
    () => void shutdown('the shard manager is gone'),
  );
  shardPeers = peers;
  bot.ctx.shards = () => ({ shardId: thisShard.id, shardCount: thisShard.count, others: peers.others() });
}

try {
  await bot.start();
} catch (error) {
  const message = (error as Error).message;
  logger.fatal({ err: error }, 'could not log in');
  console.error(
    /token/i.test(message) || /401/.test(message)
      ? 'Discord refused the bot token. Check DISCORD_TOKEN (Developer Portal → Bot → Reset Token).'
      : `Could not reach ${sandbox ? 'the built-in sandbox' : apiSetting()}: ${whyUnreachable(error)}`,
  );
  await bot.stop().catch(() => {});
  await sandbox?.close();
  process.exit(1);
}

// A sandbox with several guilds (SANDBOX_GUILDS) gets global commands: every guild offers them.
const guildId = sandbox ? ((sandbox.guilds?.length ?? 1) > 1 ? null : sandbox.guildId) : config.guildId;
if (config.deployOnStart) {
  try {
    const count = await bot.deploy(guildId);
    logger.info({ count, scope: guildId ? `guild ${guildId}` : 'global' }, 'slash commands registered');
  } catch (error) {
    logger.error({ err: error }, 'could not register the slash commands (run `npm run deploy` to retry)');
  }
}

if (sandbox) {
  const base = reachable(sandbox.baseUrl);
  classroomSandbox?.attach({
    measure: bot.ctx.measure,
    pool: bot.ctx.pool,
    classroom: bot.ctx.classroom,
    guildId: sandbox.guildId,
  });
  console.log(`
Classroom page: ${reachable(classroomSandbox?.pageUrl ?? `${base}/classroom`)}   (open it in a browser)

LoopLab is running against its built-in Discord sandbox (no DISCORD_TOKEN set).

  Sandbox:   ${base}   (REST ${reachable(sandbox.restUrl)}, gateway ${reachable(sandbox.gatewayUrl)})
  Channel:   ${sandbox.channelId}

Act as a user — send a slash command and read the report:
  curl -s -XPOST '${base}/sandbox/invoke?wait=settled' -H 'content-type: application/json' \\
    -d '{"user":"alice","command":"block","options":{"ms":4000}}'
  curl -s -XPOST '${base}/sandbox/invoke?wait=settled' -H 'content-type: application/json' \\
    -d '{"user":"bob","command":"nonblock","options":{"ms":4000}}'
  curl -s ${base}/sandbox/channels/${sandbox.channelId}/messages

Press Ctrl+C to stop.
`);
}
for (const tell of afterBanner.splice(0)) tell();

/**
 * Runs each shard of `plan` in a child process of its own (this same program) and waits until all
 * are ready. The children reach Discord (or this process's sandbox) themselves; shard `plan.ids[0]`
 * registers the commands.
 */
async function runShardManager(plan: ShardPlan, token: string, apiUrl: string | null) {
  // Each child serves its own /healthz and /metrics (METRICS_PORT + its index in SHARD_IDS): close ours.
  await telemetry?.close().catch(() => {});
  telemetry = null;
  const multiGuildSandbox = (sandbox?.guilds?.length ?? 1) > 1;
  const metricsPort = config.metrics.port;
  logger.info(
    {
      shardCount: plan.count,
      shardIds: plan.ids,
      recommended: plan.recommended,
      maxConcurrency: plan.maxConcurrency,
    },
    `running ${plan.ids.length} of ${plan.count} shards, each in its own process`,
  );
  try {
    shardProcesses = await startShardManager({
      file: process.argv[1] ?? 'src/main.ts',
      execArgv: process.execArgv,
      token,
      plan,
      env: {
        DISCORD_API_URL: apiUrl ?? undefined,
        GUILD_ID: sandbox ? (multiGuildSandbox ? undefined : sandbox.guildId) : (config.guildId ?? undefined),
        SHARD_IDS: undefined,
      },
      envFor: (_shardId, index) => ({
        DEPLOY_ON_START: index === 0 && config.deployOnStart ? 'true' : 'false',
        // The first shard process of every machine on METRICS_PORT itself (the image's health check).
        METRICS_PORT: metricsPort === null ? 'off' : metricsPort === 0 ? '0' : String(metricsPort + index),
      }),
      spawnDelayMs: config.shards.spawnDelayMs,
      logger,
      onFatal(error) {
        logger.fatal({ err: error }, 'the shard processes cannot be kept running; stopping');
        void shutdown('shard crash loop', 1);
      },
    });
  } catch (error) {
    logger.fatal({ err: error }, 'the shard processes did not start');
    console.error(`The shard processes did not start: ${(error as Error).message}`);
    await shutdown('shards did not start', 1);
    return;
  }
  logger.info({ shardIds: plan.ids }, 'every shard process is ready');
  if (sandbox) {
    const base = reachable(sandbox.baseUrl);
    const guildLines = (sandbox.guilds ?? [])
      .map((g) => `  Guild ${g.id} (shard ${g.shard}): channel ${g.channelId}`)
      .join('\n');
    console.log(`
LoopLab is running against its built-in Discord sandbox, ${plan.ids.length} shard processes.

  Sandbox:   ${base}   (REST ${reachable(sandbox.restUrl)}, gateway ${reachable(sandbox.gatewayUrl)})
${guildLines}

Act as a user in a guild (its id, or its index 0-${(sandbox.guilds?.length ?? 1) - 1}):
  curl -s -XPOST '${base}/sandbox/invoke?wait=settled' -H 'content-type: application/json' \\
    -d '{"user":"alice","command":"block","options":{"ms":3000},"guild":0}'

Press Ctrl+C to stop.
`);
  }
}

/**
 * A URL a person (or the bot) can open: a server bound to every interface (0.0.0.0, ::) is reached
 * through loopback on this machine, never at "0.0.0.0".
 */
function reachable(url: string): string {
  return url.replace(/^(\w+:\/\/)(0\.0\.0\.0|\[::\])(?=[:/]|$)/, (_m, scheme: string, host: string) =>
    host === '[::]' ? `${scheme}[::1]` : `${scheme}127.0.0.1`,
  );
}

/** The REST base the bot tried, named by its setting, without credentials or query (never a secret). */
function apiSetting(): string {
  if (!config.apiUrl) return 'Discord (https://discord.com/api; set DISCORD_API_URL for a proxy)';
  try {
    const url = new URL(config.apiUrl);
    return `DISCORD_API_URL=${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'DISCORD_API_URL';
  }
}

/** One plain phrase for why a connection failed, from the error and its causes. */
function whyUnreachable(error: unknown): string {
  const chain: Array<Record<string, unknown>> = [];
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    chain.push(e as Record<string, unknown>);
    e = (e as { cause?: unknown }).cause;
  }
  const codes = chain.map((e) => String(e.code ?? ''));
  const has = (...wanted: string[]) => codes.some((c) => wanted.includes(c));
  if (has('ECONNREFUSED')) return 'connection refused (nothing listens there)';
  if (has('ENOTFOUND', 'EAI_AGAIN')) return 'the host name does not resolve';
  if (has('ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ENETUNREACH', 'EHOSTUNREACH'))
    return 'it cannot be reached (timed out)';
  if (has('ECONNRESET', 'UND_ERR_SOCKET')) return 'the connection was closed by the other side';
  if (codes.some((c) => /CERT|SSL|TLS/.test(c)))
    return `its TLS certificate was refused (${codes.find((c) => /CERT|SSL|TLS/.test(c))})`;
  if (chain.some((e) => e.name === 'AbortError')) return 'no answer in time';
  const first = chain[0] ?? {};
  if (typeof first.status === 'number') {
    let path = '';
    try {
      path = ` to ${String(first.method ?? 'GET')} ${new URL(String(first.url)).pathname}`;
    } catch {}
    return `it answered HTTP ${first.status}${path} (${String(first.message ?? '')}): is it a Discord API base ending in /api?`;
  }
  return String(first.message ?? error);
}
