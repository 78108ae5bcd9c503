import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../discord/facts.js';
import { isLoopbackHost, tokenlessPath } from '../discord/paths.js';
import { SandboxClock } from './clock.js';
import { SandboxControl } from './control.js';
import { SandboxGateway } from './gateway.js';
import { ApiError, errorBody, sendJson, sendNoContent } from './http.js';
import { makeBotToken } from './ids.js';
import { InteractionStore } from './interactions.js';
import { type RestResult, SandboxRest } from './rest.js';
import { SandboxWorld, type SandboxWorldOptions } from './world.js';

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
  /** Keep every REST response for conformance checks (GET /sandbox/responses). */
  recordResponses?: boolean;
  /** false: refuse file uploads (multipart) with 400, like a minimal Discord stand-in might. */
  acceptUploads?: boolean;
}

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export interface SandboxInfo {
  baseUrl: string;
  restUrl: string;
  apiUrl: string;
  gatewayUrl: string;
  botToken: string;
  applicationId: string;
  guildId: string;
  channelId: string;
}

export interface RunningSandbox extends SandboxInfo {
  world: SandboxWorld;
  interactions: InteractionStore;
  gateway: SandboxGateway;
  clock: SandboxClock;
  close(): Promise<void>;
}

/**
 * Starts the Discord-compatible sandbox: REST under /api/v10, the gateway on /gateway and the
 * control API under /sandbox, all on one HTTP server bound to 127.0.0.1.
 */

/**
 * The control API acts as any user, unauthenticated: only pages and programs on this machine may
 * use it. A browser page elsewhere cannot (no JSON content type without a preflight, a foreign
 * Origin is refused), and neither can a DNS-rebinding name (the Host must be loopback or ours).
 */
function controlRefusal(req: IncomingMessage, boundHost: string): string | null {
  const hostHeader = req.headers.host ?? '';
  const hostName = hostHeader.replace(/:\d+$/, '');
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
  // A DNS name other than ours is what rebinding looks like; IP literals cannot be rebound.
  const ipLiteral = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i.test(hostName);
  if (!isLoopbackHost(hostName) && hostName !== boundHost && !(wildcard && ipLiteral)) {
    return `the control API answers only on loopback or ${boundHost} (Host: ${hostHeader.slice(0, 100)})`;
  }
  const origin = req.headers.origin;
  if (origin) {
    try {
      if (new URL(origin).host !== hostHeader) return 'cross-origin requests to the control API are refused';
    } catch {
      return 'cross-origin requests to the control API are refused';
    }
  }
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (req.method === 'POST' && (hasBody || type) && !type.startsWith('application/json')) {
    return 'send control requests with content-type: application/json';
  }
  return null;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const clock = new SandboxClock(options.clockOffsetMs ?? 0);
  const world = new SandboxWorld(clock, options);
  const botToken = options.botToken || makeBotToken(world.applicationId);
  const interactions = new InteractionStore(world);
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  let baseUrl = '';
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
  const control = new SandboxControl({ world, interactions, gateway, rest });
  const recorded: RecordedResponse[] = [];
  control.recordedResponses = options.recordResponses ? recorded : null;
  interactions.on('created', (record) => gateway.dispatch('INTERACTION_CREATE', record.payload));

  const server: Server = createServer((req, res) => {
    void route(req, res);
  });
  // Keep-alive must outlive the longest block: a bot blocked for 10 s reuses its socket and must
  // meet a living server (else undici fails with "other side closed" instead of Discord's 10062).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/gateway' || path === '/gateway/') gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    try {
      if (path.startsWith('/api/v10/') || path.startsWith('/api/v9/')) {
        const apiPath = path.slice(path.indexOf('/', 5));
        let result: RestResult;
        try {
          result = await rest.handle(req, apiPath, url.searchParams);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          result = { status: error.status, body: errorBody(error) };
        }
        if (options.recordResponses) {
          recorded.push({
            method: req.method ?? 'GET',
            // Interaction tokens stay out of the record: it is served over HTTP.
            path: `${tokenlessPath(apiPath)}${url.search}`,
            status: result.status,
            body: result.body,
          });
          if (recorded.length > 5_000) recorded.shift();
        }
        if (result.status === 204) sendNoContent(res, clock.now());
        else sendJson(res, result.status, result.body, clock.now(), result.headers);
        return;
      }
      if (path === '/sandbox' || path.startsWith('/sandbox/')) {
        const refusal = controlRefusal(req, host);
        if (refusal) {
          sendJson(res, 403, { error: refusal });
          return;
        }
        await control.handle(req, res, url);
        return;
      }
      if (path === '/' || path === '') {
        sendJson(res, 200, control.info());
        return;
      }
      sendJson(res, 404, { message: '404: Not Found', code: 0 }, clock.now());
    } catch (error) {
      if (error instanceof ApiError) sendJson(res, error.status, errorBody(error), clock.now());
      else {
        process.emitWarning(`sandbox: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { message: '500: Internal Server Error', code: 0 });
        else res.destroy();
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  world.baseUrl = baseUrl;
  const info: SandboxInfo = {
    baseUrl,
    restUrl: `${baseUrl}/api/v10`,
    apiUrl: `${baseUrl}/api`,
    gatewayUrl: gatewayUrl(),
    botToken,
    applicationId: world.applicationId,
    guildId: world.guildId,
    channelId: world.channelId,
  };
  control.baseInfo = info;
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
