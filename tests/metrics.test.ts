import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../src/sandbox/client.js';
import { healthOf } from '../src/telemetry/health.js';
import { until } from './support/tiny-bot.js';

/**
 * GET /healthz and GET /metrics, on the telemetry thread of a real `npm start` (sandbox mode) in a
 * child process: this test's own thread stays free to scrape while the bot's main thread is blocked.
 */

const ROOT = join(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Scrape {
  status: number;
  ms: number;
  body: string;
  type: string | null;
}

let child: ChildProcess;
let output = '';
let metricsUrl: string;
let sandbox: SandboxClient;

async function get(path: string): Promise<Scrape> {
  const started = performance.now();
  const response = await fetch(`${metricsUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  const body = await response.text();
  return {
    status: response.status,
    ms: performance.now() - started,
    body,
    type: response.headers.get('content-type'),
  };
}

/** The value of one sample (`name{labels}` exactly as written) in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The child's JSON log lines. */
function logLines(): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  const [sandboxPort, metricsPort] = [await freePort(), await freePort()];
  metricsUrl = `http://127.0.0.1:${metricsPort}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DISCORD_TOKEN: '',
      SANDBOX_PORT: String(sandboxPort),
      // A heartbeat every 3 s: the round trip shows up during the test (Discord's is 41.25 s).
      SANDBOX_HEARTBEAT_INTERVAL_MS: '3000',
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      POOL_SIZE: '1',
      COOLDOWN_MS: '0',
      MAIN_THREAD_BUDGET_MS: '60000',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'looplab-metrics-')),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => {
    output += c;
  });
  child.stderr!.on('data', (c) => {
    output += c;
  });
  await until(() => output.includes('Press Ctrl+C'), 45_000, 'the bot to start');
  sandbox = new SandboxClient(`http://127.0.0.1:${sandboxPort}`);
  await until(async () => (await get('/healthz')).status === 200, 20_000, '/healthz to say ok');
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
});

describe('GET /healthz', () => {
  it('answers 200 with a JSON verdict once the gateway is connected', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(health.type).toMatch(/^application\/json/);
    const verdict = JSON.parse(health.body);
    expect(verdict).toMatchObject({ status: 'ok', reasons: [], gateway: { connected: true } });
    expect(verdict.mainThread.limitMs).toBe(1000);
    expect(verdict.mainThread.stuckMs).toBeLessThan(1000);
  });

  it('names every reason to be unhealthy, most urgent first', () => {
    const base = {
      now: 10_000,
      heartbeatAgeMs: 40,
      stuckMs: 0,
      holder: null,
      stallLimitMs: 1000,
      gateway: { connected: true, pingMs: 12, lastAckAt: 9_000 },
      stopping: false,
      startedAt: 0,
    };
    expect(healthOf(base)).toMatchObject({ status: 'ok', reasons: [], gateway: { lastAckAgeMs: 1000 } });
    expect(healthOf({ ...base, gateway: null }).reasons).toEqual([
      'starting: not connected to the gateway yet',
    ]);
    expect(healthOf({ ...base, gateway: { ...base.gateway, connected: false } }).reasons).toEqual([
      'the gateway is not connected',
    ]);
    expect(
      healthOf({ ...base, stuckMs: 1500, holder: '/block 2000 (cpu) by alice', stopping: true }).reasons,
    ).toEqual([
      'shutting down',
      'main thread stuck for 1.50 s (limit 1.00 s), running /block 2000 (cpu) by alice',
    ]);
    // At the limit is still healthy: "beyond" the limit is not.
    expect(healthOf({ ...base, stuckMs: 1000 }).status).toBe('ok');
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with every family LoopLab promises', async () => {
    // The gateway's round trip arrives with the first heartbeat ACK (every 3 s here).
    await until(
      async () =>
        Number.isFinite(sample((await get('/metrics')).body, 'looplab_gateway_heartbeat_rtt_seconds')),
      15_000,
      'a heartbeat round trip',
    );
    const scrape = await get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const family of [
      'looplab_interactions_total counter',
      'looplab_interaction_first_response_seconds histogram',
      'looplab_event_loop_delay_seconds histogram',
      'looplab_event_loop_delay_recent_seconds gauge',
      'looplab_event_loop_utilization gauge',
      'looplab_main_thread_stall_seconds gauge',
      'looplab_main_thread_heartbeat_age_seconds gauge',
      'looplab_main_thread_heap_bytes gauge',
      'looplab_worker_pool_threads gauge',
      'looplab_worker_pool_queue_size gauge',
      'looplab_worker_pool_utilization gauge',
      'looplab_worker_pool_tasks_completed_total counter',
      'looplab_worker_pool_wait_seconds histogram',
      'looplab_worker_pool_run_seconds histogram',
      'looplab_rest_rate_limits_total counter',
      'looplab_gateway_connected gauge',
      'looplab_gateway_heartbeat_rtt_seconds gauge',
      'looplab_gateway_heartbeat_ack_age_seconds gauge',
      'process_cpu_seconds_total counter',
      'process_resident_memory_bytes gauge',
      'process_start_time_seconds gauge',
      'nodejs_version_info gauge',
    ]) {
      expect(scrape.body).toContain(`# TYPE ${family}`);
    }
    expect(sample(scrape.body, 'looplab_gateway_connected')).toBe(1);
    expect(sample(scrape.body, 'looplab_worker_pool_threads')).toBe(1);
    expect(sample(scrape.body, 'looplab_gateway_heartbeat_rtt_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(scrape.body, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });

  it('keeps answering while the bot blocks 2 s: /healthz 503 names the stall, the stall gauge passes 1 s', async () => {
    const { id } = await sandbox.send({ user: 'alice', command: 'block', options: { ms: 2_000 } });
    const during: Scrape[] = [];
    let stalled: Scrape | undefined;
    let metricsDuring: Scrape | undefined;
    const end = Date.now() + 4_000;
    while (Date.now() < end) {
      const health = await get('/healthz');
      during.push(health);
      if (health.status === 503 && !stalled) {
        stalled = health;
        metricsDuring = await get('/metrics');
        during.push(metricsDuring);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stalled, 'a 503 while the main thread was blocked').toBeDefined();
    const verdict = JSON.parse(stalled!.body);
    expect(verdict.status).toBe('unhealthy');
    expect(verdict.reasons[0]).toMatch(
      /^main thread stuck for 1\.\d\d s \(limit 1\.00 s\), running \/block 2000.* by alice$/,
    );
    expect(verdict.mainThread.holder).toMatch(/^\/block 2000.* by alice$/);
    expect(sample(metricsDuring!.body, 'looplab_main_thread_stall_seconds')).toBeGreaterThan(1);
    // Every scrape during the stall answered at once: nothing waited for the blocked thread.
    for (const scrape of during) expect(scrape.ms).toBeLessThan(200);
    // And a later scrape, still during the block, shows the stall growing.
    const later = await get('/metrics');
    const stall = sample(later.body, 'looplab_main_thread_stall_seconds')!;
    if (stall > 0)
      expect(stall).toBeGreaterThan(sample(metricsDuring!.body, 'looplab_main_thread_stall_seconds')!);
    // Once it is over: healthy again, and the interaction is counted with its log line's labels.
    await until(async () => (await get('/healthz')).status === 200, 5_000, '/healthz to recover');
    await until(async () => (await sandbox.interaction(id)).status === 'replied', 5_000);
    const after = await until(async () => {
      const body = (await get('/metrics')).body;
      return sample(body, 'looplab_interactions_total{command="block",outcome="answered"}') === 1
        ? body
        : null;
    }, 5_000);
    // Answered after ~2 s: inside the 2.5 s bucket, beyond the 2 s one.
    expect(sample(after, 'looplab_interaction_first_response_seconds_bucket{le="2",command="block"}')).toBe(
      0,
    );
    expect(sample(after, 'looplab_interaction_first_response_seconds_bucket{le="3",command="block"}')).toBe(
      1,
    );
    expect(sample(after, 'looplab_event_loop_delay_recent_seconds{stat="max"}')).toBeGreaterThan(1.5);
  });

  it('counts outcomes with the labels the logs use (answered, deferred, expired), the pool and 429s', async () => {
    // A 429 on the next callback: @discordjs/rest waits 300 ms and retries it.
    await sandbox.rateLimit('/interactions/{id}/{token}/callback', 300, 1);
    await sandbox.invoke({ user: 'carol', command: 'io', options: { ms: 50 } });
    await sandbox.invoke({ user: 'bob', command: 'nonblock', options: { ms: 300 } });
    const expired = await sandbox.invoke({ user: 'dave', command: 'block', options: { ms: 3_300 } });
    expect(expired.status).toBe('failed');
    // The bot logs each interaction's end once it is over; the metrics say the same.
    await until(
      () => logLines().filter((l) => typeof l.msg === 'string' && /^interaction /.test(l.msg)).length >= 4,
      10_000,
    );
    const body = await until(async () => {
      const text = (await get('/metrics')).body;
      return (sample(text, 'looplab_worker_pool_run_seconds_count') ?? 0) >= 1 &&
        sample(text, 'looplab_interactions_total{command="block",outcome="expired"}') === 1
        ? text
        : null;
    }, 10_000);
    const logged = new Map<string, number>();
    for (const line of logLines()) {
      if (typeof line.msg !== 'string' || !line.msg.startsWith('interaction ')) continue;
      expect(line.msg).toBe(`interaction ${line.outcome}`);
      const key = `{command="${line.command}",outcome="${line.outcome}"}`;
      logged.set(key, (logged.get(key) ?? 0) + 1);
    }
    expect([...logged.keys()]).toEqual(
      expect.arrayContaining([
        '{command="block",outcome="answered"}',
        '{command="block",outcome="expired"}',
        '{command="io",outcome="deferred"}',
        '{command="nonblock",outcome="deferred"}',
      ]),
    );
    for (const [labels, count] of logged)
      expect(sample(body, `looplab_interactions_total${labels}`)).toBe(count);
    expect(
      sample(
        body,
        'looplab_rest_rate_limits_total{route="/interactions/:id/:token/callback",global="false"}',
      ),
    ).toBe(1);
    expect(sample(body, 'looplab_worker_pool_tasks_completed_total')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'looplab_worker_pool_run_seconds_sum')).toBeGreaterThan(0.25);
  });

  it('says "shutting down" (503) while SIGTERM drains, then the process exits 0', async () => {
    // Deferred first: then it is in flight, and the drain waits for it (about 3 s).
    const { id } = await sandbox.send({ user: 'erin', command: 'nonblock', options: { ms: 3_000 } });
    await until(async () => (await sandbox.interaction(id)).status === 'deferred', 5_000, 'the defer');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const health = await until(async () => {
      const h = await get('/healthz').catch(() => null);
      return h && h.status === 503 ? h : null;
    }, 5_000);
    expect(JSON.parse(health.body).reasons).toContain('shutting down');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
