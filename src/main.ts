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
import { prepareFonts } from './report/charts/png.js';
import { type SandboxThread, startSandboxThread } from './sandbox/thread.js';
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
const logger = createLogger({ level: config.logLevel, format: config.logFormat });

/** In-flight work gets this long to finish at shutdown; the whole stop stays well under 10 s. */
const SHUTDOWN_GRACE_MS = 7_000;
/** If an orderly stop hangs anyway, leave regardless. */
const SHUTDOWN_HARD_LIMIT_MS = 9_500;

let sandbox: SandboxThread | null = null;
let bot: LoopLabBot | null = null;
let telemetry: TelemetryService | null = null;
let stopping = false;

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

// Health and metrics first: /healthz answers "starting" while the rest comes up.
if (config.metrics.port !== null) {
  try {
    telemetry = await startTelemetry({
      host: config.metrics.host,
      port: config.metrics.port,
      stallLimitMs: config.metrics.stallLimitMs,
      onError: (error) => logger.error({ err: error }, 'telemetry thread'),
    });
    logger.info(
      { url: telemetry.url, stallLimitMs: config.metrics.stallLimitMs },
      `health and metrics on ${reachable(telemetry.url)}/healthz and /metrics`,
    );
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
    sandbox = await startSandboxThread(
      {
        host: config.sandbox.host,
        port: config.sandbox.port,
        clockOffsetMs: config.sandbox.clockOffsetMs,
        heartbeatIntervalMs: config.sandbox.heartbeatIntervalMs,
      },
      {
        onCrash(error) {
          logger.fatal({ err: error }, 'the built-in Discord sandbox crashed; stopping');
          void shutdown('sandbox crash', 1);
        },
      },
    );
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

try {
  bot = await createBot({
    config,
    logger,
    token: sandbox?.botToken ?? (config.discordToken as string),
    apiUrl: sandbox ? reachable(sandbox.apiUrl) : config.apiUrl,
    ...(telemetry ? { telemetry } : {}),
  });
} catch (error) {
  // A settings store that cannot be opened is a clear stop, never a silent reset.
  if (!(error instanceof StoreError)) throw error;
  logger.fatal({ err: error }, 'the settings store cannot be used');
  console.error(error.message);
  await sandbox?.close();
  process.exit(2);
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

const guildId = sandbox?.guildId ?? config.guildId;
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
  console.log(`
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
