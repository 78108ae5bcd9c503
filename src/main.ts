/**
 * `npm start`: runs LoopLab. With DISCORD_TOKEN it connects to Discord (or DISCORD_API_URL);
 * without, it starts the built-in Discord-compatible sandbox on 127.0.0.1 — on its own thread —
 * and runs the very same discord.js code against it.
 */
import 'dotenv/config';
import { createBot, type LoopLabBot } from './bot/create-bot.js';
import { ConfigError, loadConfig } from './config/env.js';
import { isLoopbackHost } from './discord/paths.js';
import { createLogger } from './log/logger.js';
import { ownerOf, trackPromiseOwners } from './measure/attribution.js';
import { type SandboxThread, startSandboxThread } from './sandbox/thread.js';
import { StoreError } from './store/settings-store.js';

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

const logger = createLogger({ level: config.logLevel, format: config.logFormat });

/** In-flight work gets this long to finish at shutdown; the whole stop stays well under 10 s. */
const SHUTDOWN_GRACE_MS = 7_000;
/** If an orderly stop hangs anyway, leave regardless. */
const SHUTDOWN_HARD_LIMIT_MS = 9_500;

let sandbox: SandboxThread | null = null;
let bot: LoopLabBot | null = null;
let stopping = false;

async function shutdown(reason: string, code = 0) {
  if (stopping) return;
  stopping = true;
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
    apiUrl: sandbox?.apiUrl ?? config.apiUrl,
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
      : `Could not connect: ${message}`,
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
  const base = sandbox.baseUrl;
  console.log(`
LoopLab is running against its built-in Discord sandbox (no DISCORD_TOKEN set).

  Sandbox:   ${base}   (REST ${sandbox.restUrl}, gateway ${sandbox.gatewayUrl})
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
