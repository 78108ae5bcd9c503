import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxyRequests } from '@discordjs/proxy';
import { REST } from '@discordjs/rest';
import { type Spawned, spawnCaptured } from './spawn.js';
import { until } from './tiny-bot.js';

/** `npm start` as a user runs it (npm → node → shard processes), its output collected. */
export type LoopLabProcess = Spawned;

export function npmStart(env: Record<string, string>): LoopLabProcess {
  return spawnCaptured('npm', ['start', '--silent'], {
    env: {
      ...process.env,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      POOL_SIZE: '1',
      COOLDOWN_MS: '0',
      MAIN_THREAD_BUDGET_MS: '60000',
      METRICS_PORT: '0',
      ...env,
    },
  });
}

/** Waits until every shard process of `p` is ready. */
export async function shardsReady(p: LoopLabProcess, timeoutMs = 60_000): Promise<void> {
  await until(
    () => {
      if (p.child.exitCode !== null)
        throw new Error(`npm start exited ${p.child.exitCode}:\n${p.output.text}`);
      return p.output.text.includes('every shard process is ready');
    },
    timeoutMs,
    'the shard processes',
  );
}

/** The log lines about one interaction that say it was answered (or deferred), in any process. */
export function handled(p: LoopLabProcess, interactionId: string) {
  return p
    .lines()
    .filter((l) => l.interactionId === interactionId && /^interaction (answered|deferred)$/.test(l.msg));
}

/**
 * The real @discordjs/proxy in front of `apiUrl`, as its container runs it: one queue of Discord's
 * rate limits for every process that sends its REST through it (DISCORD_API_URL).
 */
export async function startRestProxy(apiUrl: string): Promise<{
  apiUrl: string;
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}> {
  const rest = new REST({ api: apiUrl, rejectOnRateLimit: () => true, retries: 0 });
  const handler = proxyRequests(rest);
  const requests: Array<{ method: string; path: string }> = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname });
    void Promise.resolve(handler(req, res)).catch(() => {
      if (!res.headersSent) res.statusCode = 502;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
