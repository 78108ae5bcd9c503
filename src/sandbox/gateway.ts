import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayOpcodes } from 'discord-api-types/v10';
import { type WebSocket, WebSocketServer } from 'ws';
import { API_VERSION } from '../discord/facts.js';
import { TimeWindow } from '../lib/bounded.js';
import { DEFAULT_RESUME_WINDOW_MS, GATEWAY_EVENT_BOUNDS, realNow, replayBounds } from './bounds.js';
import { type SandboxWorld, shardOf } from './world.js';

/** WebSocket close codes (RFC 6455), not Discord's: a normal close, and "going away". */
const WS_NORMAL_CLOSURE = 1000;
const WS_GOING_AWAY = 1001;
/** How long a client told INVALID_SESSION (not resumable) may linger before the sandbox closes its socket. */
const INVALID_SESSION_LINGER_MS = 1_000;
/** The longest silence the control API may ask for: a minute of a half-open connection. */
export const MAX_SILENCE_MS = 60_000;

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  /** Extra time after a missed heartbeat before the connection counts as a zombie. */
  heartbeatGraceMs: number;
  botToken: string;
  /** How long a disconnected session can still be resumed. */
  resumeWindowMs?: number;
}

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
  /** Whose dispatch it is (an interaction id), so its delivery can be reported. */
  ref?: string;
  /** Written to a connection at least once. */
  delivered: boolean;
}

interface GatewaySession {
  id: string;
  seq: number;
  socket: WebSocket | null;
  /** Dispatches kept for RESUME replay, bounded by the resume window (replayBounds). */
  buffer: TimeWindow<Dispatch>;
  /** Told INVALID_SESSION (resumable): nothing is sent until it resumes. */
  paused: boolean;
  lastHeartbeatAt: number;
  zombieTimer: NodeJS.Timeout | null;
  expireTimer: NodeJS.Timeout | null;
  heartbeats: number;
  /** IDENTIFY's `shard: [shard_id, num_shards]` ([0, 1] when absent). */
  shard: [number, number];
  /** The client library, as IDENTIFY's `properties.browser` names it ("discord.js", "discord.py"…). */
  library: string | null;
}

/** A connection gone quiet (POST /sandbox/gateway/silence): what the sandbox would have sent it, held. */
interface Silence {
  until: number;
  held: Dispatch[];
  timer: NodeJS.Timeout;
}

export type DeliveryReport = 'delivered' | 'queued' | 'replayed' | 'undelivered';

export interface GatewayEvent {
  at: number;
  type:
    | 'connected'
    | 'identified'
    | 'resumed'
    | 'zombie-closed'
    | 'closed'
    | 'invalid-session'
    | 'reconnect-requested'
    | 'dropped'
    | 'silenced'
    | 'silence-ended'
    | 'identify-rate-limited'
    | 'invalid-shard'
    | 'sharding-required';
  sessionId?: string;
  /** [shard_id, num_shards] of an IDENTIFY. */
  shard?: [number, number];
  code?: number;
  replayed?: number;
  resumable?: boolean;
  ms?: number;
}

/**
 * A Discord gateway (v10, JSON, no compression) for one shard: HELLO, IDENTIFY → READY +
 * GUILD_CREATE, heartbeats with ACKs and zombie detection, RESUME with replay, RECONNECT and
 * INVALID_SESSION; and the faults a classroom meets: a dropped connection, a silent one.
 *
 * A dispatch goes to every session: written at once to a live connection, kept for one that is
 * disconnected, silent or paused (it gets it on RESUME). A new session (IDENTIFY) never receives
 * what was sent before it existed, as on Discord.
 */
export class SandboxGateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  // Sessions end by themselves: a closed one is dropped after the resume window, so this map holds
  // at most the open connections plus those closed in the last few minutes.
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #silences = new Map<WebSocket, Silence>();
  readonly #events = new TimeWindow<GatewayEvent>(GATEWAY_EVENT_BOUNDS, realNow);
  readonly #deliveryListeners = new Set<(ref: string, state: DeliveryReport, at: number) => void>();
  /** When each identify bucket (shard_id % max_concurrency) last let an IDENTIFY through. */
  readonly #lastIdentifyAt = new Map<number, number>();
  #closed = false;

  constructor(
    private readonly world: SandboxWorld,
    private readonly options: GatewayOptions,
    private readonly resumeUrl: () => string,
  ) {}

  /** The recent gateway events (connects, zombies, resumes…), oldest first. */
  get events(): GatewayEvent[] {
    this.#events.prune();
    return this.#events.values();
  }

  get resumeWindowMs(): number {
    return this.options.resumeWindowMs ?? DEFAULT_RESUME_WINDOW_MS;
  }

  get heartbeatIntervalMs(): number {
    return this.options.heartbeatIntervalMs;
  }

  /** Sessions with a live connection that finished IDENTIFY/RESUME. */
  get connectedSessions(): number {
    return [...this.#sessions.values()].filter((s) => s.socket !== null).length;
  }

  /** The client libraries of the connected sessions, as they named themselves at IDENTIFY. */
  get connectedLibraries(): string[] {
    const names = new Set<string>();
    for (const s of this.#sessions.values()) if (s.socket !== null && s.library) names.add(s.library);
    return [...names];
  }

  /** Connections silenced now (POST /sandbox/gateway/silence). */
  get silencedConnections(): number {
    return this.#silences.size;
  }

  /** Told when a tagged dispatch is delivered later (after a silence), replayed, or lost with its session. */
  onDelivery(listener: (ref: string, state: DeliveryReport, at: number) => void): void {
    this.#deliveryListeners.add(listener);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  /**
   * Sends a dispatch to every session; those disconnected, silent or paused keep it for RESUME.
   * Returns what happened to it: delivered to a connection, queued, or sent nowhere.
   */
  dispatch(t: string, d: unknown, ref?: string): DeliveryReport {
    let report: DeliveryReport = 'undelivered';
    // A guild's events go to its shard only, (guild_id >> 22) % num_shards; the rest to shard 0.
    const guildId =
      typeof d === 'object' && d !== null && typeof (d as { guild_id?: unknown }).guild_id === 'string'
        ? (d as { guild_id: string }).guild_id
        : null;
    for (const session of this.#sessions.values()) {
      if (shardOf(guildId, session.shard[1]) !== session.shard[0]) continue;
      const state = this.#send(session, t, d, ref);
      if (state === 'delivered' || report === 'undelivered') report = state;
    }
    return report;
  }

  /** Asks connected clients to reconnect and resume (op 7), as Discord does before maintenance. */
  requestReconnect(): number {
    let count = 0;
    for (const session of this.#sessions.values()) {
      if (session.socket) {
        session.socket.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
        this.#log({ type: 'reconnect-requested', sessionId: session.id });
        count++;
      }
    }
    return count;
  }

  /**
   * Op 9 INVALID_SESSION to every connected session. Not resumable (Discord's usual): the session
   * is gone, the client must IDENTIFY again, and what was queued for it is never delivered.
   * Resumable: the session pauses until the client sends RESUME (on the same connection, as
   * discord.js does), then gets what it missed.
   */
  invalidateSessions(resumable = false): number {
    let count = 0;
    for (const session of [...this.#sessions.values()]) {
      const socket = session.socket;
      if (resumable) {
        if (!socket) continue;
        session.paused = true;
        socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: true }));
        this.#log({ type: 'invalid-session', sessionId: session.id, resumable: true });
        count++;
        continue;
      }
      this.#forget(session);
      if (socket) {
        // Let op 9 reach the client; it reconnects and identifies anew. Close only if it lingers.
        socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
        setTimeout(
          () => socket.close(WS_NORMAL_CLOSURE, 'Invalid session'),
          INVALID_SESSION_LINGER_MS,
        ).unref();
      }
      this.#log({ type: 'invalid-session', sessionId: session.id, resumable: false });
      count++;
    }
    return count;
  }

  /**
   * Cuts every connection without a close frame, as a dropped Wi-Fi or a crashed proxy does: the
   * client sees the socket die (1006) and resumes; its sessions stay resumable.
   */
  dropConnections(): number {
    let count = 0;
    for (const ws of this.#wss.clients) {
      const session = [...this.#sessions.values()].find((s) => s.socket === ws);
      this.#log({ type: 'dropped', ...(session ? { sessionId: session.id } : {}) });
      if (session) count++;
      ws.terminate();
    }
    return count;
  }

  /**
   * Makes every live connection go quiet for `ms`: no HEARTBEAT_ACK and no dispatch reaches it (a
   * half-open connection, a "zombie"), while what the client sends still arrives. discord.js sees
   * its heartbeat unacknowledged, closes and resumes on a new connection, which is not silent; what
   * the quiet one held is replayed then. If the connection outlives the silence, it gets it all late.
   */
  silence(ms: number): number {
    let count = 0;
    for (const session of this.#sessions.values()) {
      const ws = session.socket;
      if (!ws) continue;
      const existing = this.#silences.get(ws);
      if (existing) clearTimeout(existing.timer);
      const silence: Silence = {
        until: realNow() + ms,
        held: existing?.held ?? [],
        timer: setTimeout(() => this.#endSilence(ws), ms),
      };
      this.#silences.set(ws, silence);
      this.#log({ type: 'silenced', sessionId: session.id, ms });
      count++;
    }
    return count;
  }

  close(): void {
    this.#closed = true;
    for (const silence of this.#silences.values()) clearTimeout(silence.timer);
    this.#silences.clear();
    for (const session of [...this.#sessions.values()]) this.#drop(session);
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }

  #log(event: Omit<GatewayEvent, 'at'>): void {
    this.#events.push(realNow(), { at: this.world.clock.now(), ...event });
  }

  #report(ref: string | undefined, state: DeliveryReport): void {
    if (ref === undefined) return;
    const at = this.world.clock.now();
    for (const listener of this.#deliveryListeners) listener(ref, state, at);
  }

  #endSilence(ws: WebSocket): void {
    const silence = this.#silences.get(ws);
    if (!silence) return;
    this.#silences.delete(ws);
    const session = [...this.#sessions.values()].find((s) => s.socket === ws);
    this.#log({ type: 'silence-ended', ...(session ? { sessionId: session.id } : {}) });
    if (!session || ws.readyState !== ws.OPEN) return;
    // The connection outlived the silence: what it missed arrives late, in order.
    for (const dispatch of silence.held) this.#write(ws, dispatch, 'delivered');
  }

  #accept(ws: WebSocket): void {
    if (this.#closed) {
      ws.close(WS_GOING_AWAY);
      return;
    }
    this.#log({ type: 'connected' });
    let session: GatewaySession | null = null;
    // Before IDENTIFY/RESUME, the client must still heartbeat in time: each heartbeat re-arms the
    // timer, so a client that waits for its identify slot (5 s per bucket) while heartbeating stays.
    const helloLimitMs = this.options.heartbeatIntervalMs + this.options.heartbeatGraceMs;
    const closeSilent = () => ws.close(GatewayCloseCodes.SessionTimedOut, 'Session timed out');
    let helloTimer: NodeJS.Timeout | null = setTimeout(closeSilent, helloLimitMs);
    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Hello,
        d: { heartbeat_interval: this.options.heartbeatIntervalMs },
      }),
    );

    ws.on('message', (raw) => {
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(raw.toString());
      } catch {
        payload = null as never;
      }
      // Anything but a JSON object is a decode error, as on Discord: close 4002, never throw.
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        ws.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
        return;
      }
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat:
          if (session) this.#heartbeat(session);
          else if (helloTimer) {
            clearTimeout(helloTimer);
            helloTimer = setTimeout(closeSilent, helloLimitMs);
          }
          // A silent connection gets no ACK: that is how the client finds out.
          if (!this.#silences.has(ws)) ws.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
          break;
        case GatewayOpcodes.Identify: {
          if (session) {
            ws.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
            return;
          }
          const d = payload.d as { token?: string; shard?: unknown; properties?: unknown } | undefined;
          if (!this.#tokenMatches(d?.token)) {
            ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
            return;
          }
          const shard = this.#checkShard(ws, d?.shard);
          if (!shard) return;
          if (!this.#mayIdentify(ws, shard)) return;
          if (helloTimer) clearTimeout(helloTimer);
          helloTimer = null;
          session = this.#identify(ws, shard, libraryOf(d?.properties));
          break;
        }
        case GatewayOpcodes.Resume: {
          const d = payload.d as { token?: string; session_id?: string; seq?: number } | undefined;
          if (!d || !this.#tokenMatches(d.token)) {
            ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
            return;
          }
          const existing = this.#sessions.get(d.session_id ?? '');
          if (!existing) {
            this.#log({ type: 'invalid-session', sessionId: d.session_id, resumable: false });
            ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
            return;
          }
          if (this.#resume(existing, ws, typeof d.seq === 'number' ? d.seq : 0)) {
            session = existing;
            if (helloTimer) clearTimeout(helloTimer);
            helloTimer = null;
          }
          break;
        }
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
        case GatewayOpcodes.RequestGuildMembers:
          if (!session) ws.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
          break;
        default:
          ws.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
      }
    });

    ws.on('close', (code) => {
      if (helloTimer) clearTimeout(helloTimer);
      const silence = this.#silences.get(ws);
      if (silence) {
        clearTimeout(silence.timer);
        this.#silences.delete(ws);
      }
      if (session && session.socket === ws) {
        session.socket = null;
        this.#clearZombieTimer(session);
        this.#log({ type: 'closed', sessionId: session.id, code });
        this.#scheduleExpiry(session);
      }
    });
    ws.on('error', () => ws.terminate());
  }

  /** Discord accepts the token with or without the `Bot ` prefix (oceanic.js sends it). */
  #tokenMatches(token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const bare = token.startsWith('Bot ') ? token.slice('Bot '.length) : token;
    return bare === this.options.botToken;
  }

  /**
   * IDENTIFY's `shard`, checked as Discord does: absent is [0, 1]; anything but two whole numbers
   * with 0 <= id < count closes 4010; a count that leaves a shard more guilds than allowed, 4011.
   */
  #checkShard(ws: WebSocket, raw: unknown): [number, number] | null {
    if (raw === undefined || raw === null) raw = [0, 1];
    const valid =
      Array.isArray(raw) &&
      raw.length === 2 &&
      raw.every((n) => Number.isInteger(n)) &&
      (raw[1] as number) >= 1 &&
      (raw[0] as number) >= 0 &&
      (raw[0] as number) < (raw[1] as number);
    if (!valid) {
      this.#log({ type: 'invalid-shard' });
      ws.close(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
      return null;
    }
    const [id, total] = raw as [number, number];
    const shard: [number, number] = [id, total];
    const count = shard[1];
    const perShard = new Map<number, number>();
    for (const guild of this.world.guilds) {
      const id = shardOf(guild.id, count);
      perShard.set(id, (perShard.get(id) ?? 0) + 1);
    }
    if (Math.max(0, ...perShard.values()) > this.world.maxGuildsPerShard) {
      this.#log({ type: 'sharding-required', shard });
      ws.close(GatewayCloseCodes.ShardingRequired, 'Sharding required.');
      return null;
    }
    return shard;
  }

  /**
   * One IDENTIFY per bucket (shard_id % max_concurrency) per identify interval, as Discord allows;
   * one too early is told op 9 INVALID_SESSION (not resumable) and may try again.
   */
  #mayIdentify(ws: WebSocket, shard: [number, number]): boolean {
    const interval = this.world.identifyIntervalMs;
    if (interval <= 0) return true;
    const bucket = shard[0] % this.world.maxConcurrency;
    const now = realNow();
    const last = this.#lastIdentifyAt.get(bucket);
    if (last !== undefined && now - last < interval) {
      this.#log({ type: 'identify-rate-limited', shard, ms: interval - (now - last) });
      ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      return false;
    }
    this.#lastIdentifyAt.set(bucket, now);
    return true;
  }

  #identify(ws: WebSocket, shard: [number, number] = [0, 1], library: string | null = null): GatewaySession {
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      seq: 0,
      socket: ws,
      buffer: new TimeWindow<Dispatch>(replayBounds(this.resumeWindowMs), realNow),
      paused: false,
      lastHeartbeatAt: this.world.clock.now(),
      zombieTimer: null,
      expireTimer: null,
      heartbeats: 0,
      shard,
      library,
    };
    this.#sessions.set(session.id, session);
    this.world.sessionStartsRemaining = Math.max(0, this.world.sessionStartsRemaining - 1);
    this.#log({ type: 'identified', sessionId: session.id, shard });
    this.#armZombieTimer(session);
    const world = this.world;
    // READY lists this shard's guilds only; each then arrives as GUILD_CREATE.
    const guilds = world.guildsOfShard(shard[0], shard[1]);
    this.#send(session, GatewayDispatchEvents.Ready, {
      v: API_VERSION,
      user: world.bot,
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.resumeUrl(),
      shard,
      application: { id: world.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth_session_id_hash: '',
      _trace: ['["looplab-sandbox",{"micros":0}]'],
    });
    for (const guild of guilds)
      this.#send(session, GatewayDispatchEvents.GuildCreate, world.guildPayload(guild));
    return session;
  }

  #resume(session: GatewaySession, ws: WebSocket, seq: number): boolean {
    if (seq > session.seq) {
      // It claims events that were never sent: Discord closes with 4007 (invalid seq).
      ws.close(GatewayCloseCodes.InvalidSeq, 'Invalid seq');
      return false;
    }
    session.buffer.prune();
    const buffered = session.buffer.values();
    const oldest = buffered[0]?.s ?? session.seq + 1;
    if (seq < oldest - 1) {
      // What it missed is no longer buffered: it must identify anew.
      this.#log({ type: 'invalid-session', sessionId: session.id, resumable: false });
      this.#forget(session);
      ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      return false;
    }
    if (session.socket && session.socket !== ws) session.socket.terminate();
    if (session.expireTimer) clearTimeout(session.expireTimer);
    session.expireTimer = null;
    session.socket = ws;
    session.paused = false;
    const missed = buffered.filter((d) => d.s > seq);
    for (const dispatch of missed) this.#write(ws, dispatch, 'replayed');
    this.#send(session, GatewayDispatchEvents.Resumed, { _trace: ['["looplab-sandbox",{"micros":0}]'] });
    this.#log({ type: 'resumed', sessionId: session.id, replayed: missed.length });
    this.#heartbeat(session);
    return true;
  }

  /** Numbers and buffers a dispatch for `session`, and sends it if the session can receive it now. */
  #send(session: GatewaySession, t: string, d: unknown, ref?: string): DeliveryReport {
    session.seq += 1;
    const dispatch: Dispatch = { s: session.seq, t, d, delivered: false, ...(ref ? { ref } : {}) };
    session.buffer.push(realNow(), dispatch);
    const ws = session.socket;
    if (!ws || session.paused) return 'queued';
    const silence = this.#silences.get(ws);
    if (silence) {
      silence.held.push(dispatch);
      return 'queued';
    }
    this.#write(ws, dispatch, null);
    return 'delivered';
  }

  /**
   * Writes a dispatch to a connection. The first time a tagged one is written late (after a silence,
   * or on RESUME), `late` says how, and its listeners are told; at once, dispatch() returns it.
   */
  #write(ws: WebSocket, dispatch: Dispatch, late: 'delivered' | 'replayed' | null): void {
    ws.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, s: dispatch.s, t: dispatch.t, d: dispatch.d }));
    if (dispatch.delivered) return;
    dispatch.delivered = true;
    if (late) this.#report(dispatch.ref, late);
  }

  /** Ends a session: what it held and never delivered (and no other session holds) is lost. */
  #forget(session: GatewaySession): void {
    this.#sessions.delete(session.id);
    this.#clearZombieTimer(session);
    if (session.expireTimer) clearTimeout(session.expireTimer);
    session.expireTimer = null;
    session.socket = null;
    session.buffer.prune();
    for (const dispatch of session.buffer.values()) {
      if (dispatch.ref === undefined || dispatch.delivered) continue;
      const elsewhere = [...this.#sessions.values()].some((other) =>
        other.buffer.values().some((d) => d.ref === dispatch.ref),
      );
      if (!elsewhere) this.#report(dispatch.ref, 'undelivered');
    }
  }

  #heartbeat(session: GatewaySession): void {
    session.lastHeartbeatAt = this.world.clock.now();
    session.heartbeats += 1;
    this.#armZombieTimer(session);
  }

  #armZombieTimer(session: GatewaySession): void {
    this.#clearZombieTimer(session);
    session.zombieTimer = setTimeout(() => {
      const ws = session.socket;
      if (!ws) return;
      this.#log({ type: 'zombie-closed', sessionId: session.id, code: GatewayCloseCodes.UnknownError });
      // 4000 is resumable: the client should come back with RESUME.
      ws.close(GatewayCloseCodes.UnknownError, 'Heartbeat timed out');
    }, this.options.heartbeatIntervalMs + this.options.heartbeatGraceMs);
  }

  #clearZombieTimer(session: GatewaySession): void {
    if (session.zombieTimer) clearTimeout(session.zombieTimer);
    session.zombieTimer = null;
  }

  #scheduleExpiry(session: GatewaySession): void {
    if (session.expireTimer) clearTimeout(session.expireTimer);
    session.expireTimer = setTimeout(() => this.#drop(session), this.resumeWindowMs);
  }

  #drop(session: GatewaySession): void {
    const socket = session.socket;
    this.#forget(session);
    socket?.terminate();
  }
}

/** IDENTIFY's `properties.browser` (the library's name), trimmed to something fit to show. */
function libraryOf(properties: unknown): string | null {
  if (typeof properties !== 'object' || properties === null) return null;
  const p = properties as Record<string, unknown>;
  const name = p.browser ?? p.$browser;
  if (typeof name !== 'string') return null;
  const clean = name
    .replace(/[^\w .@/+-]/g, '')
    .trim()
    .slice(0, 40);
  return clean || null;
}
