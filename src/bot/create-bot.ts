import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultRestOptions, type REST, RESTEvents, type RESTOptions } from '@discordjs/rest';
import { Client, type ClientOptions, Events, GatewayIntentBits, Routes, Status } from 'discord.js';
import { Classroom } from '../classroom/classroom.js';
import type { Config } from '../config/env.js';
import type { BotContext, Telemetry } from '../contracts/context.js';
import { stopAllTickers } from '../demos/ticker.js';
import { type Logger, registerSecret } from '../log/logger.js';
import type { ClockOffsetEstimator } from '../measure/clock-offset.js';
import { Measurements } from '../measure/measurements.js';
import type { RateLimitHit } from '../measure/rest-observer.js';
import { ComponentRegistry } from '../router/components.js';
import { effectiveDefinition } from '../router/define.js';
import { createDispatcher } from '../router/dispatch.js';
import { type CommandRegistry, definitionsOf, loadCommands } from '../router/registry.js';
import { openSettingsStore } from '../store/open.js';
import type { SettingsStore } from '../store/settings-store.js';
import { isTelemetryService, observePool } from '../telemetry/telemetry.js';
import { createWorkPool } from '../work/pool.js';
import { deployCommands } from './deploy.js';

export interface LoopLabBot {
  client: Client;
  ctx: BotContext;
  commands: CommandRegistry;
  /** Logs in and resolves when discord.js is ready (guilds received). */
  start(): Promise<void>;
  /** Registers the commands (guild if GUILD_ID or `guildId`, else global). */
  deploy(guildId?: string | null): Promise<number>;
  /**
   * Stops gracefully: new interactions are told the bot is restarting, those in flight get up to
   * `graceMs` to finish (each one still waiting is then told the bot restarted), then the pool,
   * the measurements and the gateway close. Safe to call twice.
   */
  stop(graceMs?: number): Promise<{ finished: number; interrupted: number }>;
}

export interface BotOptions {
  config: Config;
  logger: Logger;
  token: string;
  /** REST base (…/api); default Discord's. */
  apiUrl?: string | null;
  /** The command registry; default: every file in commands/. */
  commands?: CommandRegistry;
  /** Where the watchdog thread writes (tests); default standard output. */
  watchdogLogFile?: string;
  /**
   * Where each interaction's outcome is reported (metrics); default nowhere. A TelemetryService
   * (src/telemetry) is also given the bot's numbers: loop delay, utilisation, pool, gateway, 429s.
   */
  telemetry?: Telemetry;
  /** The classroom settings store; default the SQLite file in DATA_DIR (opened here: a bad one fails now). */
  store?: SettingsStore;
  /**
   * A shard process: discord.js's `ws.buildIdentifyThrottler`, made from the store's slot
   * reservation, so IDENTIFYs are paced across every shard process (src/shard/identify.ts).
   */
  identifyThrottler?: (reserve: SettingsStore['reserveIdentify']) => BuildIdentifyThrottler;
}

type BuildIdentifyThrottler = NonNullable<NonNullable<ClientOptions['ws']>['buildIdentifyThrottler']>;

/**
 * Discord's Date header has 1 s resolution: a few light requests spread over one second catch it
 * at different phases and narrow the clock-offset estimate from ±500 ms to about ±100 ms.
 */
async function calibrateClock(
  client: Client,
  clock: ClockOffsetEstimator,
  signal: AbortSignal,
  samples = 5,
  spacingMs = 210,
) {
  for (let i = 0; i < samples && !signal.aborted; i++) {
    await client.rest.get(Routes.gatewayBot(), { signal }).catch(() => {});
    if (i < samples - 1) await sleep(spacingMs, undefined, { signal }).catch(() => {});
  }
  return clock.uncertaintyMs;
}

/**
 * @discordjs/rest keeps one SequentialHandler per route and major parameter, and an interaction's
 * webhook routes have its token as major parameter: one handler per interaction. It sweeps the
 * inactive ones (nothing queued, not limited) every `handlerSweepInterval`, an hour by default,
 * which holds ~1 KB per interaction of the last hour. A minute keeps that small; an inactive
 * handler is simply made again when its token is used once more.
 */
export const REST_HANDLER_SWEEP_MS = 60_000;

/**
 * Discord's global limit (50 requests/s per bot) does not cover interaction endpoints (the
 * callback, and the webhook routes under the application id with the interaction's token: edits,
 * follow-ups); @discordjs/rest applies its client-side global counter to every request it sends.
 * Those requests therefore go through a REST manager of their own whose global counter never runs
 * out; per-route buckets and 429s (Retry-After, X-RateLimit-*) are still honoured there.
 */
function routeInteractionRequests(
  rest: REST,
  options: Partial<RESTOptions>,
  applicationId: () => string | null | undefined,
): REST {
  // discord.js loads @discordjs/rest as CommonJS and this module as ESM: two copies of its classes.
  // The same constructor as discord.js's own manager keeps `instanceof DiscordAPIError` working.
  const Rest = rest.constructor as typeof REST;
  const interactions = new Rest({
    ...options,
    globalRequestsPerSecond: Number.MAX_SAFE_INTEGER,
  });
  const queue = rest.queueRequest.bind(rest);
  rest.queueRequest = (request) => {
    const route = request.fullRoute;
    const app = applicationId();
    const isInteraction =
      request.auth === false &&
      (/^\/interactions\/\d+\/[^/]+\/callback$/.test(route) ||
        (app !== null && app !== undefined && route.startsWith(`/webhooks/${app}/`)));
    return isInteraction ? interactions.queueRequest(request) : queue(request);
  };
  return interactions;
}

/** Builds the LoopLab bot: one discord.js Client, the measurement machinery and the router. */
export async function createBot({
  config,
  logger,
  token,
  apiUrl,
  ...options
}: BotOptions): Promise<LoopLabBot> {
  registerSecret(token);
  // First, so a store that cannot be opened stops the start before anything connects.
  const store = options.store ?? (await openSettingsStore(config));
  /** Waits @discordjs/rest decided on by itself (no 429 just before): logged as its own, not Discord's. */
  const clientSide = new WeakSet<RateLimitHit>();
  const measure = new Measurements({
    watchdog: { logFile: options.watchdogLogFile, format: config.logFormat, level: config.logLevel },
    onRateLimit: (hit) => {
      const fields = { route: hit.route, retryAfterMs: hit.retryAfterMs, global: hit.global };
      if (!clientSide.has(hit)) logger.warn({ ...fields, by: 'Discord' }, 'rate limited by Discord');
      else if (hit.global)
        logger.warn(
          { ...fields, by: '@discordjs/rest' },
          "@discordjs/rest's own global limiter (50 requests/s) held a request; Discord sent no 429",
        );
      else
        logger.warn(
          { ...fields, by: '@discordjs/rest' },
          '@discordjs/rest waited for a rate-limit bucket Discord announced in its headers (no 429)',
        );
    },
  });
  const restOptions: Partial<RESTOptions> = {
    ...(apiUrl ? { api: apiUrl } : {}),
    // Every REST answer carries Discord's Date header (clock offset); callbacks are timed on the wire.
    makeRequest: measure.rest.wrap(DefaultRestOptions.makeRequest),
    handlerSweepInterval: REST_HANDLER_SWEEP_MS,
  };
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: restOptions,
    ...(options.identifyThrottler
      ? {
          ws: {
            buildIdentifyThrottler: options.identifyThrottler((bucket, intervalMs) =>
              store.reserveIdentify(bucket, intervalMs),
            ),
          },
        }
      : {}),
  });
  const interactionRest = routeInteractionRequests(
    client.rest,
    restOptions,
    () => config.applicationId ?? client.application?.id,
  );
  // Limits @discordjs/rest sees coming (it waits before sending); a 429 itself is noted by the observer.
  for (const rest of [client.rest, interactionRest]) {
    rest.on(RESTEvents.RateLimited, (info) => {
      const hit: RateLimitHit = {
        at: Date.now(),
        route: info.route,
        retryAfterMs: info.retryAfter,
        global: info.global,
      };
      clientSide.add(hit);
      measure.rest.recordRateLimit(hit);
    });
  }
  const telemetry = options.telemetry;
  const service = isTelemetryService(telemetry) ? telemetry : null;
  const basePool = createWorkPool(config.poolSize);
  const pool = service ? observePool(basePool, (task) => service.poolTask(task)) : basePool;
  const ctx: BotContext = {
    config,
    logger,
    measure,
    pool,
    inFlight: new Map(),
    classroom: new Classroom(config, store),
    telemetry: telemetry ?? { interaction() {} },
    gateway() {
      const lastPing = client.ws.shards.first()?.lastPingTimestamp ?? -1;
      return { pingMs: client.ws.ping, lastAckAt: lastPing > 0 ? lastPing : null };
    },
    startedAt: Date.now(),
  };
  // Every shard has finished identifying (or resuming): what /healthz calls "connected".
  const gatewayConnected = () =>
    client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready);
  const detachTelemetry = service?.attach({
    measure,
    pool,
    gateway: () => ({ ...ctx.gateway(), connected: gatewayConnected() }),
  });
  const commands = options.commands ?? (await loadCommands());
  const components = new ComponentRegistry();
  for (const command of commands.values()) {
    for (const handler of command.components ?? []) components.register(handler);
  }
  const dispatch = createDispatcher(ctx, commands, components);
  client.on(Events.InteractionCreate, (interaction) => {
    // An idle bot's loop-delay recorder ticks slowly (idle CPU): full resolution for this one.
    measure.recorder.wake();
    void dispatch(interaction);
  });
  containMalformedPackets(client, logger);
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord.js client error'));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.on(Events.ShardResume, (_id, replayed) => logger.info({ replayed }, 'gateway session resumed'));
  let stopping: Promise<{ finished: number; interrupted: number }> | null = null;
  let calibration: { abort: AbortController; done: Promise<unknown> } | null = null;
  // An orderly stop closes the gateway on purpose: that is no reconnect to warn about.
  client.on(Events.ShardReconnecting, () => {
    if (!stopping) logger.warn('gateway reconnecting');
  });

  return {
    client,
    ctx,
    commands,
    async start() {
      await measure.start();
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(token);
      await ready;
      // After ready, not before it: five requests 210 ms apart narrow the clock offset, and until
      // then every REST answer (the first interaction's own) already feeds the estimate.
      const abort = new AbortController();
      calibration = { abort, done: calibrateClock(client, measure.clock, abort.signal).catch(() => {}) };
      logger.info(
        { user: client.user?.tag, applicationId: client.application?.id, guilds: client.guilds.cache.size },
        'LoopLab is connected',
      );
    },
    async deploy(guildId = config.guildId) {
      const applicationId = config.applicationId ?? client.application?.id;
      if (!applicationId) throw new Error('the application id is unknown (set DISCORD_APPLICATION_ID)');
      const definitions = definitionsOf(commands).map((d) => effectiveDefinition(d, config.maxBlockMs));
      return deployCommands(client.rest, applicationId, guildId, definitions);
    },
    stop(graceMs = 0) {
      stopping ??= (async () => {
        stopAllTickers();
        calibration?.abort.abort();
        await calibration?.done;
        const drained = await dispatch.drain(graceMs);
        // Whatever still runs after the grace time was told the bot restarted: stop it.
        await pool.close({ force: drained.interrupted > 0 });
        detachTelemetry?.();
        await measure.stop();
        await client.destroy();
        interactionRest.clearHashSweeper();
        interactionRest.clearHandlerSweeper();
        await ctx.classroom.close();
        return drained;
      })();
      return stopping;
    },
  };
}

/**
 * discord.js builds an Interaction from the gateway payload before any handler of ours runs, and
 * throws on shapes Discord never sends (no `data`, `member.permissions: "lots"`, a null body…). A
 * hostile or broken Discord-compatible server must not turn that into an uncaught exception: such a
 * packet is logged and dropped (it cannot be answered: discord.js could not read it).
 */
function containMalformedPackets(client: Client, logger: Logger): void {
  const ws = client.ws as unknown as { handlePacket(packet: unknown, shard: unknown): boolean };
  const handlePacket = ws.handlePacket.bind(ws);
  ws.handlePacket = (packet, shard) => {
    try {
      return handlePacket(packet, shard);
    } catch (error) {
      const p = packet as { t?: unknown; d?: { id?: unknown } | null } | undefined;
      logger.warn(
        { err: error, event: p?.t, interactionId: typeof p?.d?.id === 'string' ? p.d.id : undefined },
        'ignored a gateway event discord.js could not read (malformed payload)',
      );
      return true;
    }
  };
}
