/**
 * Starts the Discord-compatible sandbox: REST under /api/v10, the gateway on /gateway and the
 * control API under /sandbox, all on one HTTP server bound to 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, ErrorCode, HttpStatus } from '../discord/facts.js';
import { SandboxClock } from './clock.js';
import { controlRefusal } from './control/guard.js';
import { SandboxControl } from './control/router.js';
import { SandboxGateway } from './gateway.js';
import { ApiError, errorBody, sendJson, sendNoContent } from './http.js';
import { makeBotToken } from './ids.js';
import { InteractionStore } from './interaction-store.js';
import { SandboxRest } from './rest/api.js';
import { ResponseRecorder } from './rest/recording.js';
import type { RestResult } from './rest/route.js';
import type { SandboxInfo } from './sandbox-info.js';
import { SandboxWorld, type SandboxWorldOptions, shardOf } from './world.js';

export type { RecordedResponse } from './rest/recording.js';
export type { SandboxInfo } from './sandbox-info.js';

export interface SandboxOptions extends SandboxWorldOptions {
  /** Interface to bind. Loopback unless you really mean to expose it. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The bot token the sandbox accepts; random when absent. */
  botToken?: string;
  heartbeatIntervalMs?: number;
  heartbeatGraceMs?: number;
  /** How far the sandbox's clock ("Discord's") is ahead of this machine's, in ms. */
  clockOffsetMs?: number;
  /** Keep REST responses for conformance checks (GET /sandbox/responses). */
  recordResponses?: boolean;
  /** false: refuse file uploads (multipart) with 400, like a minimal Discord stand-in might. */
  acceptUploads?: boolean;
  /**
   * Tests only: GET /sandbox/tokens lists the interaction tokens issued, so a test can check that
   * none leaked anywhere. Never on by default: the control API otherwise never reveals a token.
   */
  exposeTokensForTests?: boolean;
}

export interface RunningSandbox extends SandboxInfo {
  world: SandboxWorld;
  interactions: InteractionStore;
  gateway: SandboxGateway;
  clock: SandboxClock;
  close(): Promise<void>;
}

/** The API versions discord.js may ask for; both get the same (v10) answers. */
const API_PREFIX = /^\/api\/v(?:9|10)(?=\/)/;

/**
 * Keep-alive must outlive the longest block: a bot blocked for 10 s reuses its socket and must
 * meet a living server (else undici fails with "other side closed" instead of Discord's 10062).
 */
const KEEP_ALIVE_TIMEOUT_MS = 120_000;
const HEADERS_TIMEOUT_MS = 125_000;

/**
 * What may be mounted beside the three APIs (the classroom page): asked first for any path outside
 * /api and /sandbox; it answers true when it handled the request.
 */
export interface SandboxExtensions {
  http?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
}

export async function startSandbox(
  options: SandboxOptions = {},
  extensions: SandboxExtensions = {},
): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const clock = new SandboxClock(options.clockOffsetMs ?? 0);
  const world = new SandboxWorld(clock, options);
  const botToken = options.botToken || makeBotToken(world.applicationId);
  const interactions = new InteractionStore(world);
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  let baseUrl = '';
  let info: SandboxInfo | null = null;
  const gatewayUrl = () => `${baseUrl.replace(/^http/, 'ws')}/gateway`;
  const gateway = new SandboxGateway(
    world,
    {
      heartbeatIntervalMs,
      heartbeatGraceMs: options.heartbeatGraceMs ?? Math.max(1_000, Math.round(heartbeatIntervalMs / 2)),
      botToken,
    },
    gatewayUrl,
  );
  const rest = new SandboxRest({
    world,
    interactions,
    botToken,
    gatewayUrl,
    acceptUploads: options.acceptUploads !== false,
  });
  const recorder = options.recordResponses ? new ResponseRecorder() : null;
  const control = new SandboxControl({
    world,
    interactions,
    gateway,
    rest,
    recorder,
    info: () => info,
    exposeTokens: options.exposeTokensForTests === true,
  });
  interactions.onCreated((record) => {
    const state = gateway.dispatch('INTERACTION_CREATE', record.payload, record.id);
    interactions.delivered(record, state, clock.now());
  });
  gateway.onDelivery((id, state, at) => {
    const record = interactions.get(id);
    if (record) interactions.delivered(record, state, at);
  });

  const server: Server = createServer((req, res) => {
    void route(req, res);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = 0;
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/gateway' || path === '/gateway/') gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });

  /** Mounts the three APIs by prefix; each routes its own paths. */
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    try {
      const api = API_PREFIX.exec(path);
      if (api) {
        await answerRest(req, res, path.slice(api[0].length), url);
        return;
      }
      if (path === '/sandbox' || path.startsWith('/sandbox/')) {
        const refusal = controlRefusal(req, host);
        if (refusal) sendJson(res, HttpStatus.Forbidden, { error: refusal });
        else await control.handle(req, res, url);
        return;
      }
      if (extensions.http && (await extensions.http(req, res, url))) return;
      if (path === '/' || path === '') {
        sendJson(res, HttpStatus.Ok, control.info());
        return;
      }
      sendJson(res, HttpStatus.NotFound, { message: '404: Not Found', code: ErrorCode.General }, clock.now());
    } catch (error) {
      if (error instanceof ApiError) sendJson(res, error.status, errorBody(error), clock.now());
      else {
        process.emitWarning(`sandbox: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) {
          sendJson(res, HttpStatus.InternalServerError, {
            message: '500: Internal Server Error',
            code: ErrorCode.General,
          });
        } else res.destroy();
      }
    }
  }

  /** A REST answer, Discord's errors included, with Discord's `Date` header (the sandbox clock). */
  async function answerRest(req: IncomingMessage, res: ServerResponse, apiPath: string, url: URL) {
    let result: RestResult;
    try {
      result = await rest.handle(req, apiPath, url.searchParams);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result = { status: error.status, body: errorBody(error) };
    }
    recorder?.record(req.method ?? 'GET', apiPath, url.search, result.status, result.body);
    if (result.status === HttpStatus.NoContent) sendNoContent(res, clock.now());
    else sendJson(res, result.status, result.body, clock.now(), result.headers);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // Bound to every interface (0.0.0.0 in a container), it still advertises an address a client can
  // dial: loopback, which is where the bot and a published port (`-p 127.0.0.1:…`) reach it.
  const advertised = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  baseUrl = `http://${advertised.includes(':') ? `[${advertised}]` : advertised}:${port}`;
  world.baseUrl = baseUrl;
  info = {
    baseUrl,
    restUrl: `${baseUrl}/api/v10`,
    apiUrl: `${baseUrl}/api`,
    gatewayUrl: gatewayUrl(),
    botToken,
    applicationId: world.applicationId,
    guildId: world.guildId,
    channelId: world.channelId,
    guilds: world.guilds.map((g) => ({
      id: g.id,
      channelId: g.channelId,
      shard: shardOf(g.id, world.shardCount),
    })),
    shards: world.shardCount,
    identifyIntervalMs: world.identifyIntervalMs,
  };
  return {
    ...info,
    world,
    interactions,
    gateway,
    clock,
    async close() {
      interactions.close();
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
