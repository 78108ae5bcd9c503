/**
 * The telemetry thread: a small HTTP server with GET /healthz and GET /metrics. It runs beside the
 * bot's main thread and keeps answering while that thread is blocked: it reads the main thread's
 * heartbeat from shared memory at request time, so a scrape during a /block shows the stall growing
 * and /healthz turns 503 naming it, although the main thread cannot post anything meanwhile.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { type HealthInput, healthOf } from './health.js';
import { createMetrics } from './metrics.js';
import {
  BEAT_MS,
  type FromTelemetryThread,
  LABEL_BYTES,
  SLOTS,
  Slot,
  type SnapshotMessage,
  type TelemetryThreadData,
  type ToTelemetryThread,
} from './protocol.js';

const data = workerData as TelemetryThreadData;
const port = parentPort;
if (!port) throw new Error('telemetry-thread runs as a worker thread');

const slots = new BigInt64Array(data.shared, 0, SLOTS);
const label = new Uint8Array(data.shared, SLOTS * 8, LABEL_BYTES);
const decoder = new TextDecoder();

const heartbeatAgeMs = (): number => Math.max(0, Date.now() - Number(Atomics.load(slots, Slot.Heartbeat)));
const stuckMs = (): number => Math.max(0, heartbeatAgeMs() - BEAT_MS);
function holder(): string | null {
  const length = Number(Atomics.load(slots, Slot.LabelLength));
  return length > 0 ? decoder.decode(label.slice(0, Math.min(length, LABEL_BYTES))) : null;
}

const metrics = createMetrics({ stuckMs, heartbeatAgeMs, stallLimitMs: data.stallLimitMs }, data.startedAt);
let lastSnapshot: SnapshotMessage | null = null;
let stopping = false;

port.on('message', (message: ToTelemetryThread) => {
  switch (message.type) {
    case 'interaction':
      metrics.interaction(message);
      break;
    case 'snapshot':
      lastSnapshot = message;
      metrics.snapshot(message);
      break;
    case 'state':
      stopping = message.stopping;
      break;
    case 'close':
      server.close();
      server.closeAllConnections();
      port.close();
      break;
  }
});

function health() {
  const input: HealthInput = {
    now: Date.now(),
    heartbeatAgeMs: heartbeatAgeMs(),
    stuckMs: stuckMs(),
    holder: holder(),
    stallLimitMs: data.stallLimitMs,
    gateway: lastSnapshot?.gateway ?? null,
    stopping,
    startedAt: data.startedAt,
  };
  return healthOf(input);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'application/json', JSON.stringify({ error: 'only GET' }));
    return;
  }
  if (path === '/healthz') {
    const verdict = health();
    send(res, verdict.status === 'ok' ? 200 : 503, 'application/json', `${JSON.stringify(verdict)}\n`);
  } else if (path === '/metrics') {
    send(res, 200, metrics.contentType, await metrics.text());
  } else if (path === '/') {
    send(res, 200, 'text/plain; charset=utf-8', 'LoopLab telemetry: GET /healthz, GET /metrics\n');
  } else {
    send(
      res,
      404,
      'application/json',
      JSON.stringify({ error: 'not found', routes: ['/healthz', '/metrics'] }),
    );
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: Error) => {
    if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: error.message }));
    else res.destroy();
  });
});
// Scrapers keep their connections open; a server that closes idle sockets first makes them retry.
server.keepAliveTimeout = 65_000;

const post = (message: FromTelemetryThread) => port.postMessage(message);
server.once('error', (error: NodeJS.ErrnoException) => {
  post({ type: 'error', code: error.code ?? null, message: error.message });
  port.close();
});
server.listen(data.port, data.host, () => {
  const address = server.address() as AddressInfo;
  post({ type: 'listening', host: data.host, port: address.port });
});
