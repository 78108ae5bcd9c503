/**
 * Serves the classroom page beside the sandbox's APIs, on the sandbox's own thread (which the bot's
 * /block never blocks): the HTML shell, the bundle, and the live feed over Server-Sent Events —
 * `channel` when what Discord would show changes, `live` every 250 ms.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { controlRefusal } from '../sandbox/control/guard.js';
import type { RunningSandbox } from '../sandbox/server.js';
import { pageBundle } from './bundle.js';
import { PageFeed, SERIES_POINT_MS } from './feed.js';
import type { BotStats } from './protocol.js';

export const PAGE_PATH = '/classroom';
/** At most this many pages watch at once (a class of thirty with a few tabs each). */
const MAX_WATCHERS = 200;
const CHANNEL_CHECK_MS = 100;
const SAMPLE_MS = 50;
/** A comment line now and then keeps proxies and the browser from thinking the stream died. */
const KEEPALIVE_MS = 15_000;

export interface ClassroomPage {
  http(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  botStats(stats: BotStats): void;
  close(): void;
}

export function classroomPage(
  sandbox: () => RunningSandbox | null,
  host: string,
  heartbeat: SharedArrayBuffer | null,
): ClassroomPage {
  let feed: PageFeed | null = null;
  const watchers = new Set<ServerResponse>();
  let lastChannel = '';
  const feedOf = () => {
    const s = sandbox();
    if (!s) return null;
    feed ??= new PageFeed(s, heartbeat);
    return feed;
  };
  const send = (res: ServerResponse, event: string, data: string) => {
    res.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  const broadcast = (event: string, data: string) => {
    for (const res of watchers) send(res, event, data);
  };
  const sampler = setInterval(() => feedOf()?.sample(), SAMPLE_MS);
  const channelTimer = setInterval(() => {
    const f = feedOf();
    if (!f || watchers.size === 0) return;
    const data = JSON.stringify(f.channel());
    if (data === lastChannel) return;
    lastChannel = data;
    broadcast('channel', data);
  }, CHANNEL_CHECK_MS);
  const liveTimer = setInterval(() => {
    const f = feedOf();
    if (f && watchers.size > 0) broadcast('live', JSON.stringify(f.live()));
  }, SERIES_POINT_MS);
  const keepalive = setInterval(() => {
    for (const res of watchers) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  for (const t of [sampler, channelTimer, liveTimer, keepalive]) t.unref();

  return {
    async http(req, res, url) {
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (!path.startsWith(PAGE_PATH)) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const refusal = controlRefusal(req, host);
      if (refusal) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(refusal);
        return true;
      }
      const headers = {
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      };
      if (path === PAGE_PATH) {
        res.writeHead(200, {
          ...headers,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy':
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
        });
        res.end(SHELL);
        return true;
      }
      if (path === `${PAGE_PATH}/app.js` || path === `${PAGE_PATH}/app.css`) {
        try {
          const bundle = await pageBundle();
          const js = path.endsWith('.js');
          res.writeHead(200, {
            ...headers,
            'content-type': js ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
          });
          res.end(js ? bundle.js : bundle.css);
        } catch (error) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`The classroom page could not be built: ${(error as Error).message}`);
        }
        return true;
      }
      if (path === `${PAGE_PATH}/events`) {
        const f = feedOf();
        if (!f || watchers.size >= MAX_WATCHERS) {
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('too many pages watching');
          return true;
        }
        res.writeHead(200, {
          ...headers,
          'content-type': 'text/event-stream; charset=utf-8',
          connection: 'keep-alive',
        });
        res.write('retry: 1000\n\n');
        send(res, 'channel', JSON.stringify(f.channel()));
        send(res, 'live', JSON.stringify(f.live()));
        watchers.add(res);
        req.on('close', () => watchers.delete(res));
        return true;
      }
      return false;
    },
    botStats(stats) {
      feedOf()?.botStats(stats);
    },
    close() {
      for (const t of [sampler, channelTimer, liveTimer, keepalive]) clearInterval(t);
      for (const res of watchers) res.end();
      watchers.clear();
    },
  };
}

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LoopLab classroom</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${PAGE_PATH}/app.css">
<script type="module" src="${PAGE_PATH}/app.js"></script>
</head>
<body>
<noscript>The classroom page needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
