import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Client, Interaction } from 'discord.js';
import { type Owner, runAs, watchOwnedCallbacks } from './attribution.js';
import { ClockOffsetEstimator } from './clock-offset.js';
import { type Diagnosis, diagnose, type Outcome } from './diagnose.js';
import {
  DiscordCode,
  INITIAL_RESPONSE_DEADLINE_MS,
  INTERACTION_TOKEN_LIFETIME_MS,
  snowflakeTime,
} from './facts.js';
import { LoopDelayRecorder } from './loop-delay.js';
import { MainThreadLedger } from './main-thread.js';
import { RestObserver } from './rest-observer.js';
import { UtilizationRecorder } from './utilization.js';
import { Watchdog } from './watchdog.js';

/** Anything with info/warn/error: console, pino, a child logger… */
export interface DoctorLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A prom-client Registry (structural: prom-client is an optional peer). */
export interface MetricsRegistry {
  registerMetric(metric: unknown): void;
}

export interface DoctorOptions {
  /** Where diagnoses go (default console). */
  logger?: DoctorLogger;
  /**
   * How lines are written: 'fields' calls `logger.warn({ ...numbers }, message)` (pino's shape);
   * 'json' writes one JSON string per line. Default: 'json' for the console, else 'fields'.
   */
  logStyle?: 'fields' | 'json';
  /** A first response accepted after this long since the command is a close call (default 2000 ms). */
  closeCallMs?: number;
  /** The stall watchdog thread (default on): logs a stall while it happens. */
  watchdog?: boolean | { thresholdMs?: number; logFile?: string };
  /** Register the doctor's metrics in this prom-client registry. */
  registry?: MetricsRegistry;
  /** Prefix of the metric names (default `discord_doctor_`). */
  metricPrefix?: string;
}

export interface InFlight {
  interactionId: string;
  command: string;
  user: string;
  ageMs: number;
  /** ms left of Discord's 3 s (negative: already past). */
  leftMs: number;
}

export interface DoctorSnapshot {
  at: number;
  /** Event-loop delay over the last 10 s (ms). */
  loopDelay: { p50: number; p99: number; max: number; samples: number };
  /** Main-thread event-loop utilisation over the last 10 s, 0..1. */
  utilization: number;
  inFlight: InFlight[];
  /** Discord's clock minus ours, ± uncertainty (null until a REST answer was seen). */
  clockOffset: { offsetMs: number; uncertaintyMs: number | null; samples: number };
  /** When the watchdog thread first saw each recent stall. */
  stalls: number[];
  /** The most recent diagnoses, newest last (at most 100). */
  diagnoses: Diagnosis[];
}

export interface Doctor extends EventEmitter<{ diagnosis: [Diagnosis] }> {
  snapshot(): DoctorSnapshot;
  /** Stops observing: the client is left exactly as it was. */
  stop(): Promise<void>;
}

interface Tracked {
  owner: Owner;
  user: string;
  token: string;
  created: number;
  /** Its snowflake's time: Discord's clock. */
  createdByDiscord: number;
  received: number;
  handlerStart: number;
  responsesSent: number;
  firstQueuedAt?: number;
  firstSentAt?: number;
  firstAnsweredAt?: number;
  /** Main-thread time of its own code (until the first response was queued). */
  ownHeldMs: number;
  settled: boolean;
  /** A 40060 answered its only response: another process had answered. */
  ackedElsewhere?: boolean;
}

const MAX_TRACKED = 2_000;
const MAX_DIAGNOSES = 100;
/** The window snapshot() summarises loop delay and utilisation over. */
const RECENT_MS = 10_000;
const SPAN_MIN_MS = 10;
const CALLBACK = /\/interactions\/(\d+)\/([^/]+)\/callback/;
const WEBHOOK = /\/webhooks\/\d+\/([^/?]+)/;

type RequestFn = (url: string, init: unknown) => Promise<ResponseLike>;
interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}
interface RestLike extends EventEmitter {
  options: { makeRequest: RequestFn };
  queueRequest(request: { fullRoute: string }): Promise<unknown>;
}

/**
 * Installs the doctor on a discord.js 14 client: it watches every interaction (created, arrived,
 * handler start, first response, edits), which interaction's code holds the main thread (across
 * awaits), and logs one line per diagnosis, with the numbers and the fix. It changes nothing about
 * how the bot answers.
 */
export function installDoctor(client: Client, options: DoctorOptions = {}): Doctor {
  const logger: DoctorLogger = options.logger ?? console;
  const style = options.logStyle ?? (logger === console ? 'json' : 'fields');
  const closeCallMs = options.closeCallMs ?? 2_000;
  const emitter = new EventEmitter<{ diagnosis: [Diagnosis] }>();
  const tracked = new Map<string, Tracked>();
  const byToken = new Map<string, string>();
  const diagnoses: Diagnosis[] = [];
  const arrivals = new Map<string, number>();
  // The same meters LoopLab's reports are built on (bounded by the 15-minute token lifetime).
  const clock = new ClockOffsetEstimator();
  const loop = new LoopDelayRecorder();
  const utilization = new UtilizationRecorder(1_000);
  const ledger = new MainThreadLedger();
  const observer = new RestObserver(clock);
  const wd = options.watchdog ?? true;
  const watchdog =
    wd === false
      ? null
      : new Watchdog({
          thresholdMs: typeof wd === 'object' ? (wd.thresholdMs ?? 250) : 250,
          logFile: typeof wd === 'object' ? (wd.logFile ?? null) : null,
          format: 'json',
        });
  loop.start();
  utilization.start();
  const watchdogStarted = watchdog?.start().catch((err: unknown) => {
    write(
      'error',
      'the doctor could not start its watchdog thread: stalls are not logged while they happen',
      {
        err: String(err),
      },
    );
  });

  function write(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>): void {
    try {
      if (style === 'json')
        logger[level](JSON.stringify({ level, time: Date.now(), name: 'looplab-doctor', msg, ...fields }));
      else logger[level]({ ...fields }, msg);
    } catch {
      // a logger that throws must not break the bot
    }
  }

  function report(d: Diagnosis | null): void {
    if (!d) return;
    diagnoses.push(d);
    if (diagnoses.length > MAX_DIAGNOSES) diagnoses.shift();
    const { text, fix, level, ...numbers } = d;
    write(level, `${text}. Fix: ${fix}`, { ...numbers, fix });
    try {
      emitter.emit('diagnosis', d);
    } catch {
      // a listener's error is not the doctor's to throw
    }
  }

  // --- who holds the main thread -------------------------------------------------------------
  let holder: Owner | null = null;
  const holderOf = (owner: Owner) => {
    const user = tracked.get(owner.interactionId)?.user ?? owner.userId;
    return { ...owner, user, label: `/${owner.command}` };
  };
  const enter = (owner: Owner) => {
    if (holder === owner) return;
    holder = owner;
    loop.wake();
    watchdog?.setHolder(holderOf(owner), Date.now());
  };
  const leave = (owner: Owner, ms: number) => {
    const end = Date.now();
    const t = tracked.get(owner.interactionId);
    // Its own main-thread time before the first response was asked for (even if asked within this span).
    if (t) t.ownHeldMs += Math.max(0, Math.min(end, t.firstQueuedAt ?? end) - (end - ms));
    if (ms >= SPAN_MIN_MS) ledger.add({ ...holderOf(owner), start: end - ms, end });
    if (holder === owner) {
      holder = null;
      watchdog?.setHolder(null, Date.now());
    }
  };
  const unhook = watchOwnedCallbacks({ enter, leave });

  function settle(t: Tracked, outcome: Outcome): void {
    if (outcome.kind !== 'edit-expired') t.settled = true;
    const end = t.firstSentAt ?? t.firstAnsweredAt ?? Date.now();
    const queued = t.firstQueuedAt;
    const limits = observer.rateLimits
      .filter((r) => queued !== undefined && r.at >= queued && r.at <= end)
      .map(({ route, retryAfterMs, global }) => ({ route, retryAfterMs, global }));
    const id = t.owner.interactionId;
    report(
      diagnose(
        {
          interactionId: t.owner.interactionId,
          command: t.owner.command,
          userId: t.owner.userId,
          user: t.user,
          created: t.created,
          received: t.received,
          handlerStart: t.handlerStart,
          firstQueuedAt: t.firstQueuedAt,
          firstSentAt: t.firstSentAt,
          firstAnsweredAt: t.firstAnsweredAt,
          responsesSent: t.responsesSent,
          ownHeldMs: t.ownHeldMs,
          blockers: ledger.blockersOf(id, t.created, end),
          clockUncertaintyMs: clock.uncertaintyMs,
          rateLimits: limits,
          serverErrors: observer.serverErrorsOf(id).filter((e) => e.route.endsWith('/callback')),
        },
        outcome,
        closeCallMs,
      ),
    );
  }

  // --- interactionCreate: arrival, handler start, and every listener run as its owner ---------------
  const onRaw = (packet: { t?: string | null; d?: { id?: unknown } }) => {
    if (packet.t === 'INTERACTION_CREATE' && typeof packet.d?.id === 'string') {
      arrivals.set(packet.d.id, Date.now());
      if (arrivals.size > MAX_TRACKED) arrivals.delete(arrivals.keys().next().value as string);
    }
  };
  client.on('raw', onRaw);
  const originalEmit = client.emit;
  const ownEmit = Object.hasOwn(client, 'emit');
  const patchedEmit = function (this: Client, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'interactionCreate') return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
    const interaction = args[0] as Interaction;
    const now = Date.now();
    const name =
      'commandName' in interaction
        ? interaction.commandName
        : 'customId' in interaction
          ? interaction.customId
          : `type ${(interaction as { type: number }).type}`;
    const owner: Owner = { interactionId: interaction.id, command: name, userId: interaction.user.id };
    const received = arrivals.get(interaction.id) ?? now;
    arrivals.delete(interaction.id);
    const t: Tracked = {
      owner,
      user: interaction.user.username,
      token: interaction.token,
      created: Math.min(snowflakeTime(interaction.id) - clock.correctionMs, received),
      createdByDiscord: snowflakeTime(interaction.id),
      received,
      handlerStart: now,
      responsesSent: 0,
      ownHeldMs: 0,
      settled: false,
    };
    tracked.set(interaction.id, t);
    byToken.set(interaction.token, interaction.id);
    while (tracked.size > MAX_TRACKED) {
      const oldest = tracked.values().next().value as Tracked;
      tracked.delete(oldest.owner.interactionId);
      byToken.delete(oldest.token);
    }
    return runAs(owner, () => {
      enter(owner);
      const start = performance.now();
      try {
        return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
      } finally {
        leave(owner, performance.now() - start);
      }
    });
  };
  client.emit = patchedEmit as typeof client.emit;

  // --- REST: first responses, edits, the clock, rate limits ------------------------------------
  const rest = client.rest as unknown as RestLike;
  const originalQueue = rest.queueRequest;
  const ownQueue = Object.hasOwn(rest, 'queueRequest');
  const patchedQueue = function (this: RestLike, request: { fullRoute: string }) {
    const callback = CALLBACK.exec(request.fullRoute);
    const id = callback?.[1] ?? byToken.get(WEBHOOK.exec(request.fullRoute)?.[1] ?? '');
    const t = id ? tracked.get(id) : undefined;
    if (t && callback) {
      t.responsesSent++;
      t.firstQueuedAt ??= Date.now();
    }
    const pending = Reflect.apply(originalQueue, this, [request]) as Promise<unknown>;
    if (!t) return pending;
    // The same value or the same error reaches the bot: the doctor only reads the outcome.
    return pending.then(
      (value) => {
        if (callback) answered(t, null);
        return value;
      },
      (error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === 'number') {
          if (callback) answered(t, code);
          else if (code === DiscordCode.InvalidWebhookToken) {
            // By Discord's clock: the offset measured from this very answer's Date header.
            const at = Date.now();
            settle(t, { kind: 'edit-expired', at, ageMs: at + clock.correctionMs - t.createdByDiscord });
          }
        }
        throw error;
      },
    );
  };
  rest.queueRequest = patchedQueue;
  // Every request on the wire: the clock offset from Discord's Date header, callback timings, 429s, 5xx.
  const originalRequest = rest.options.makeRequest;
  const wrappedRequest: RequestFn = observer.wrap(originalRequest);
  rest.options.makeRequest = wrappedRequest;
  // @discordjs/rest's own waits (its client-side limits) are announced, not answered with a 429.
  const onRateLimited = (info: { route: string; retryAfter: number; global: boolean }) =>
    observer.recordRateLimit({
      at: Date.now(),
      route: info.route,
      retryAfterMs: info.retryAfter,
      global: info.global,
    });
  rest.on('rateLimited', onRateLimited);

  /** Discord answered a first response: accepted (code null) or refused with `code`. */
  function answered(t: Tracked, code: number | null): void {
    // On the wire: the last attempt's (after a 429 or a 5xx, @discordjs/rest waits and sends it again).
    const timing = observer.callbackTiming(t.owner.interactionId);
    t.firstSentAt ??= timing?.sentAt;
    t.firstAnsweredAt ??= timing?.receivedAt ?? Date.now();
    if (code === DiscordCode.InteractionAlreadyAcknowledged) {
      // Once another process answered, the bot's own later attempts (an error handler's reply) are no news.
      if (t.ackedElsewhere) return;
      t.ackedElsewhere = t.responsesSent <= 1;
      settle(t, { kind: 'already-acknowledged' });
    } else if (!t.settled) {
      if (code === DiscordCode.UnknownInteraction) settle(t, { kind: 'expired' });
      else if (code === null) settle(t, { kind: 'accepted' });
      else t.settled = true;
    }
  }

  // --- metrics (optional) ---------------------------------------------------------------------------
  const counts = new Map<string, number>();
  emitter.on('diagnosis', (d) => counts.set(d.cause, (counts.get(d.cause) ?? 0) + 1));
  if (options.registry) registerMetrics(options.registry, options.metricPrefix ?? 'discord_doctor_');

  function registerMetrics(registry: MetricsRegistry, prefix: string): void {
    import('prom-client')
      .then((prom) => {
        new prom.Gauge({
          name: `${prefix}event_loop_delay_p99_ms`,
          help: 'Event-loop delay p99 over the last 10 s (ms), measured by @looplab/doctor.',
          registers: [registry as never],
          collect() {
            this.set(recentLoop().p99);
          },
        });
        new prom.Gauge({
          name: `${prefix}interactions_in_flight`,
          help: 'Interactions received whose first response has not been answered yet.',
          registers: [registry as never],
          collect() {
            this.set(inFlight().length);
          },
        });
        new prom.Gauge({
          name: `${prefix}diagnoses`,
          help: 'Diagnoses logged since the doctor was installed, by cause.',
          labelNames: ['cause'],
          registers: [registry as never],
          collect() {
            for (const [cause, n] of counts) this.set({ cause }, n);
          },
        });
      })
      .catch((err: unknown) =>
        write('warn', 'the doctor could not register its metrics: is prom-client installed?', {
          err: String(err),
        }),
      );
  }

  function recentLoop(): DoctorSnapshot['loopDelay'] {
    const now = Date.now();
    const { p50, p99, max, samples } = loop.stats(now - RECENT_MS, now);
    const round = (v: number) => Math.round(v * 10) / 10;
    return { p50: round(p50), p99: round(p99), max: round(max), samples };
  }

  function inFlight(): InFlight[] {
    const now = Date.now();
    return [...tracked.values()]
      .filter((t) => !t.settled && now - t.created < INTERACTION_TOKEN_LIFETIME_MS)
      .filter((t) => t.firstAnsweredAt === undefined)
      .map((t) => ({
        interactionId: t.owner.interactionId,
        command: t.owner.command,
        user: t.user,
        ageMs: now - t.created,
        leftMs: INITIAL_RESPONSE_DEADLINE_MS - (now - t.created),
      }));
  }

  let stopped = false;
  return Object.assign(emitter, {
    snapshot(): DoctorSnapshot {
      return {
        at: Date.now(),
        loopDelay: recentLoop(),
        utilization: Math.round(utilization.window(Date.now() - RECENT_MS).elu * 1000) / 1000,
        inFlight: inFlight(),
        clockOffset: {
          offsetMs: clock.offsetMs,
          uncertaintyMs: clock.samples > 0 ? clock.uncertaintyMs : null,
          samples: clock.samples,
        },
        stalls: watchdog?.sightings(Date.now() - 15 * 60_000, Date.now()).map((x) => x.seenAt) ?? [],
        diagnoses: [...diagnoses],
      };
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (client.emit === patchedEmit) {
        if (ownEmit) client.emit = originalEmit;
        else delete (client as { emit?: unknown }).emit;
      }
      if (rest.options.makeRequest === wrappedRequest) rest.options.makeRequest = originalRequest;
      if (rest.queueRequest === patchedQueue) {
        if (ownQueue) rest.queueRequest = originalQueue;
        else delete (rest as { queueRequest?: unknown }).queueRequest;
      }
      rest.off('rateLimited', onRateLimited);
      client.off('raw', onRaw);
      unhook();
      loop.stop();
      utilization.stop();
      await watchdogStarted;
      await watchdog?.stop();
    },
  });
}
