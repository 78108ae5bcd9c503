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
import { type SandboxThread, startSandboxThread } from './sandbox/thread.js';

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
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

let sandbox: SandboxThread | null = null;
let bot: LoopLabBot | null = null;
let stopping = false;

async function shutdown(reason: string, code = 0) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'shutting down');
  await bot?.stop().catch((error) => logger.warn({ err: error }, 'error while stopping the bot'));
  await sandbox?.close();
  logger.flush?.();
  process.exit(code);
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

bot = await createBot({
  config,
  logger,
  token: sandbox?.botToken ?? (config.discordToken as string),
  apiUrl: sandbox?.apiUrl ?? config.apiUrl,
});

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

process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
