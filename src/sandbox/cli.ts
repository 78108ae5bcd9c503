/**
 * `npm run sandbox`: the Discord-compatible sandbox alone, for any discord.js bot (not only ours).
 * Environment: SANDBOX_HOST (default 127.0.0.1), SANDBOX_PORT (default: a free port),
 * SANDBOX_BOT_TOKEN (default: random), SANDBOX_HEARTBEAT_INTERVAL_MS (default 41250),
 * SANDBOX_CLOCK_OFFSET_MS (default 0: "Discord's" clock runs this far ahead of ours),
 * SANDBOX_SHARDS, SANDBOX_GUILDS, SANDBOX_MAX_CONCURRENCY, SANDBOX_IDENTIFY_INTERVAL_MS (sharding).
 */
import 'dotenv/config';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../discord/facts.js';
import { isLoopbackHost } from '../discord/paths.js';
import { classroomPage } from '../page/server.js';
import { type RunningSandbox, startSandbox } from './server.js';

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
    process.exit(2);
  }
  return value;
}

// The classroom page is served here too: it shows what Discord's side sees of any bot.
let running: RunningSandbox | null = null;
const page = classroomPage(() => running, process.env.SANDBOX_HOST || '127.0.0.1', null);
const sandbox = await startSandbox(
  {
    host: process.env.SANDBOX_HOST || '127.0.0.1',
    port: intFromEnv('SANDBOX_PORT', 0, 0, 65_535),
    botToken: process.env.SANDBOX_BOT_TOKEN || undefined,
    heartbeatIntervalMs: intFromEnv(
      'SANDBOX_HEARTBEAT_INTERVAL_MS',
      DEFAULT_HEARTBEAT_INTERVAL_MS,
      100,
      600_000,
    ),
    clockOffsetMs: intFromEnv('SANDBOX_CLOCK_OFFSET_MS', 0, -86_400_000, 86_400_000),
    // Sharding: the shard count GET /gateway/bot recommends, the guilds, the identify buckets.
    shards: intFromEnv('SANDBOX_SHARDS', 1, 1, 16),
    guilds: intFromEnv('SANDBOX_GUILDS', 1, 1, 64),
    maxConcurrency: intFromEnv('SANDBOX_MAX_CONCURRENCY', 1, 1, 16),
    ...(process.env.SANDBOX_IDENTIFY_INTERVAL_MS
      ? { identifyIntervalMs: intFromEnv('SANDBOX_IDENTIFY_INTERVAL_MS', 0, 0, 60_000) }
      : {}),
  },
  { http: page.http },
).catch((error: NodeJS.ErrnoException) => {
  console.error(
    `The sandbox could not start: ${error.code === 'EADDRINUSE' ? 'that port is in use' : error.message}`,
  );
  process.exit(1);
});

if (!isLoopbackHost(process.env.SANDBOX_HOST || '127.0.0.1')) {
  console.warn(
    `Warning: SANDBOX_HOST=${process.env.SANDBOX_HOST} exposes the sandbox beyond this machine. Its control API has no login: anyone who can reach it can act as any user.`,
  );
}

running = sandbox;

console.log(`Classroom page: ${sandbox.baseUrl}/classroom   (open it in a browser)

LoopLab Discord sandbox is listening.

  Base URL:      ${sandbox.baseUrl}   (control API under /sandbox)
  API URL:       ${sandbox.apiUrl}   (discord.js rest.api / LoopLab's DISCORD_API_URL)
  REST v10:      ${sandbox.restUrl}
  Gateway URL:   ${sandbox.gatewayUrl}
  Bot token:     ${sandbox.botToken}
  Application:   ${sandbox.applicationId}
  Guild:         ${sandbox.guildId}   channel ${sandbox.channelId}

Point any discord.js v14 bot at it:
  new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: '${sandbox.apiUrl}' } }).login('<bot token above>')
Or run LoopLab against it:
  DISCORD_TOKEN=<bot token above> DISCORD_API_URL=${sandbox.apiUrl} npm start
Then act as a user:
  curl -s -XPOST ${sandbox.baseUrl}/sandbox/invoke -H 'content-type: application/json' \\
    -d '{"user":"alice","command":"block","options":{"ms":4000}}'
  curl -s ${sandbox.baseUrl}/sandbox/interactions/<id>
Press Ctrl+C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    page.close();
    void sandbox.close().then(() => process.exit(0));
  });
}
