/**
 * LoopLab's Prometheus metrics (prom-client), fed by the main thread's events and snapshots and by
 * the live heartbeat. Runs on the telemetry thread: a scrape during a /block still answers.
 *
 * prom-client's collectDefaultMetrics() is not used: on this thread its event-loop lag, heap and GC
 * numbers would describe the telemetry thread, not the bot. The process-wide ones are here by hand
 * (CPU, resident memory, start time, open files), and the main thread's heap comes in its snapshots.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InteractionEvent, SnapshotMessage } from './protocol.js';

/** What the telemetry thread reads at scrape time, whatever the main thread is doing. */
export interface LiveReadings {
  /** How long the main thread has been stuck right now, ms. */
  stuckMs(): number;
  heartbeatAgeMs(): number;
  stallLimitMs: number;
}

const FIRST_RESPONSE_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5, 10];
const LOOP_DELAY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const POOL_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const s = (ms: number): number => ms / 1000;

export interface LoopLabMetrics {
  registry: Registry;
  interaction(event: InteractionEvent): void;
  snapshot(snapshot: SnapshotMessage): void;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
  contentType: string;
}

export function createMetrics(live: LiveReadings, startedAt: number): LoopLabMetrics {
  const registry = new Registry();
  const registers = [registry];

  const interactions = new Counter({
    name: 'looplab_interactions_total',
    help: 'Interactions by command and outcome (answered, deferred, expired, edit-expired, acked-elsewhere, refused, failed): the labels of the "interaction <outcome>" log lines.',
    labelNames: ['command', 'outcome'] as const,
    registers,
  });
  const firstResponse = new Histogram({
    name: 'looplab_interaction_first_response_seconds',
    help: "From Discord's creation of an interaction to the first response it accepted (the deadline is 3 s).",
    labelNames: ['command'] as const,
    buckets: FIRST_RESPONSE_BUCKETS,
    registers,
  });
  const loopDelay = new Histogram({
    name: 'looplab_event_loop_delay_seconds',
    help: "How late each 10 ms tick of the main thread's event loop fired (a stall is one large sample when it ends).",
    buckets: LOOP_DELAY_BUCKETS,
    registers,
  });
  const loopDelayRecent = new Gauge({
    name: 'looplab_event_loop_delay_recent_seconds',
    help: 'Main-thread event-loop delay over the last 10 s: p50, p99 and max.',
    labelNames: ['stat'] as const,
    registers,
  });
  const elu = new Gauge({
    name: 'looplab_event_loop_utilization',
    help: "Share of the last 10 s the main thread's event loop spent running JavaScript, 0..1.",
    registers,
  });
  const mainCpu = new Counter({
    name: 'looplab_main_thread_cpu_seconds_total',
    help: "The main thread's own CPU time (only on Node >= 23.9, which can tell one thread's CPU from the process's).",
    registers,
  });
  const heap = new Gauge({
    name: 'looplab_main_thread_heap_bytes',
    help: "The main thread's V8 heap: used and total.",
    labelNames: ['kind'] as const,
    registers,
  });
  new Gauge({
    name: 'looplab_main_thread_stall_seconds',
    help: 'How long the main thread has been stuck right now (read from its heartbeat at scrape time; 0 while it runs freely).',
    registers,
    collect() {
      this.set(s(live.stuckMs()));
    },
  });
  new Gauge({
    name: 'looplab_main_thread_heartbeat_age_seconds',
    help: "Time since the main thread's last heartbeat (it beats every 100 ms), read at scrape time.",
    registers,
    collect() {
      this.set(s(live.heartbeatAgeMs()));
    },
  });
  new Gauge({
    name: 'looplab_main_thread_stall_limit_seconds',
    help: '/healthz answers 503 once the main thread has been stuck longer than this (HEALTH_STALL_LIMIT_MS).',
    registers,
    collect() {
      this.set(s(live.stallLimitMs));
    },
  });

  const poolThreads = new Gauge({
    name: 'looplab_worker_pool_threads',
    help: 'Worker threads in the /nonblock pool.',
    registers,
  });
  const poolQueue = new Gauge({
    name: 'looplab_worker_pool_queue_size',
    help: 'Tasks waiting for a free worker thread.',
    registers,
  });
  const poolUtilization = new Gauge({
    name: 'looplab_worker_pool_utilization',
    help: "Mean event-loop utilisation of the pool's worker threads since the bot started (or the last /lag), 0..1.",
    registers,
  });
  const poolCompleted = new Counter({
    name: 'looplab_worker_pool_tasks_completed_total',
    help: 'Tasks the worker pool finished (successes and failures).',
    registers,
  });
  const poolWait = new Histogram({
    name: 'looplab_worker_pool_wait_seconds',
    help: 'Time a task waited in the queue before a worker started it.',
    buckets: POOL_BUCKETS,
    registers,
  });
  const poolRun = new Histogram({
    name: 'looplab_worker_pool_run_seconds',
    help: 'Time a task ran on its worker thread.',
    buckets: POOL_BUCKETS,
    registers,
  });
  const rateLimits = new Counter({
    name: 'looplab_rest_rate_limits_total',
    help: "Discord's 429 answers (and limits @discordjs/rest waited for), by route; @discordjs/rest waits and retries them.",
    labelNames: ['route', 'global'] as const,
    registers,
  });
  const gatewayConnected = new Gauge({
    name: 'looplab_gateway_connected',
    help: '1 while the gateway connection is ready, as the main thread last said.',
    registers,
  });
  const heartbeatRtt = new Gauge({
    name: 'looplab_gateway_heartbeat_rtt_seconds',
    help: 'Round trip of the last gateway heartbeat (NaN before the first ACK).',
    registers,
  });
  let lastAckAt: number | null = null;
  new Gauge({
    name: 'looplab_gateway_heartbeat_ack_age_seconds',
    help: 'Time since the last gateway heartbeat ACK, read at scrape time (it grows while the main thread is blocked).',
    registers,
    collect() {
      this.set(lastAckAt === null ? Number.NaN : s(Date.now() - lastAckAt));
    },
  });

  // --- the process (what collectDefaultMetrics would give, for the whole process) -------------------
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time of the process (every thread), in seconds.',
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size of the process, in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'When the process started, in seconds since the Unix epoch.',
    registers,
    collect() {
      this.set(Math.round(startedAt / 1000));
    },
  });
  new Gauge({
    name: 'process_open_fds',
    help: 'Open file descriptors of the process (Linux).',
    registers,
    collect() {
      const fds = openFds();
      if (fds !== null) this.set(fds);
    },
  });
  new Gauge({
    name: 'process_max_fds',
    help: 'Limit of open file descriptors of the process (Linux).',
    registers,
    collect() {
      const max = maxFds();
      if (max !== null) this.set(max);
    },
  });
  new Gauge({
    name: 'nodejs_version_info',
    help: 'The Node.js version.',
    labelNames: ['version', 'major'] as const,
    registers,
    collect() {
      this.set({ version: process.version, major: process.versions.node.split('.')[0] ?? '' }, 1);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    interaction(event) {
      interactions.inc({ command: event.command, outcome: event.outcome });
      if (event.firstResponseMs !== null)
        firstResponse.observe({ command: event.command }, s(event.firstResponseMs));
    },
    snapshot(snap) {
      for (const delayMs of snap.loopDelaySamples) loopDelay.observe(s(delayMs));
      loopDelayRecent.set({ stat: 'p50' }, s(snap.loopDelay10s.p50));
      loopDelayRecent.set({ stat: 'p99' }, s(snap.loopDelay10s.p99));
      loopDelayRecent.set({ stat: 'max' }, s(snap.loopDelay10s.max));
      elu.set(snap.elu10s);
      if (snap.mainThreadCpuS !== null) {
        mainCpu.reset();
        mainCpu.inc(snap.mainThreadCpuS);
      }
      heap.set({ kind: 'used' }, snap.heap.usedBytes);
      heap.set({ kind: 'total' }, snap.heap.totalBytes);
      if (snap.pool) {
        poolThreads.set(snap.pool.threads);
        poolQueue.set(snap.pool.queueSize);
        poolUtilization.set(snap.pool.utilization);
        poolCompleted.reset();
        poolCompleted.inc(snap.pool.completed);
        for (const task of snap.pool.tasks) {
          poolWait.observe(s(task.waitMs));
          if (task.runMs !== null) poolRun.observe(s(task.runMs));
        }
      }
      for (const hit of snap.rateLimits) rateLimits.inc({ route: hit.route, global: String(hit.global) });
      if (snap.gateway) {
        gatewayConnected.set(snap.gateway.connected ? 1 : 0);
        heartbeatRtt.set(snap.gateway.pingMs >= 0 ? s(snap.gateway.pingMs) : Number.NaN);
        lastAckAt = snap.gateway.lastAckAt;
      }
    },
    text: () => registry.metrics(),
  };
}

function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

let maxFdsCache: number | null | undefined;
function maxFds(): number | null {
  if (maxFdsCache !== undefined) return maxFdsCache;
  try {
    const line = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    maxFdsCache = line?.[1] ? Number(line[1]) : null;
  } catch {
    maxFdsCache = null;
  }
  return maxFdsCache;
}
