/**
 * The main thread's side of LoopLab's telemetry: it starts the telemetry thread (HTTP /healthz and
 * /metrics), beats a heartbeat into shared memory every 100 ms, forwards each interaction's outcome
 * and posts a snapshot of its numbers every second. Posting costs the main thread microseconds; all
 * the serving, formatting and health reasoning happens on the telemetry thread.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { DEFAULT_HEALTH_STALL_LIMIT_MS, DEFAULT_METRICS_PORT } from '../config/env.js';
import type { GatewayStatus, Telemetry } from '../contracts/context.js';
import { startWorker } from '../lib/worker-file.js';
import type { Holder } from '../measure/main-thread.js';
import type { Measurements } from '../measure/measurements.js';
import { threadCpuMs } from '../measure/utilization.js';
import type { WorkPool } from '../work/pool.js';
import {
  BEAT_MS,
  type FromTelemetryThread,
  LABEL_BYTES,
  type PoolTaskEvent,
  SHARED_BYTES,
  SLOTS,
  Slot,
  SNAPSHOT_MS,
  type SnapshotMessage,
  type TelemetryThreadData,
  type ToTelemetryThread,
} from './protocol.js';

export interface TelemetryOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 9464, Prometheus' usual port for exporters; 0 = any free port). */
  port?: number;
  /** /healthz turns 503 once the main thread has been stuck longer than this (default 1000 ms). */
  stallLimitMs?: number;
  /** Told when the telemetry thread dies (it is restarted, a few times). */
  onError?: (error: Error) => void;
}

/** What the telemetry reads from the bot; the wiring (src/bot/) supplies it. */
export interface TelemetrySources {
  measure: Measurements;
  pool: WorkPool;
  gateway(): GatewayStatus & { connected: boolean };
}

export interface TelemetryService extends Telemetry {
  /** http://host:port of the telemetry server. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Starts the snapshots of `sources`; returns the function that stops them. */
  attach(sources: TelemetrySources): () => void;
  /** One task the worker pool finished (see observePool). */
  poolTask(event: PoolTaskEvent): void;
  /** From now on /healthz says "shutting down" (503). */
  setStopping(): void;
  close(): Promise<void>;
}

/** The telemetry server could not start (its message names the setting to change). */
export class TelemetryError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

const DEFAULT_METRICS_HOST = '127.0.0.1';

const RESTARTS_PER_MINUTE = 3;

/** Starts the telemetry thread and the heartbeat; rejects with a TelemetryError if it cannot listen. */
export async function startTelemetry(options: TelemetryOptions = {}): Promise<TelemetryService> {
  const host = options.host ?? DEFAULT_METRICS_HOST;
  const stallLimitMs = options.stallLimitMs ?? DEFAULT_HEALTH_STALL_LIMIT_MS;
  const shared = new SharedArrayBuffer(SHARED_BYTES);
  const slots = new BigInt64Array(shared, 0, SLOTS);
  const label = new Uint8Array(shared, SLOTS * 8, LABEL_BYTES);
  const encoder = new TextEncoder();
  const beat = () => Atomics.store(slots, Slot.Heartbeat, BigInt(Date.now()));
  beat();
  const beater = setInterval(beat, BEAT_MS);
  beater.unref();

  let worker: Worker;
  let port: number;
  const data = (wantedPort: number): TelemetryThreadData => ({
    shared,
    host,
    port: wantedPort,
    stallLimitMs,
    startedAt: Math.round(performance.timeOrigin),
  });
  try {
    ({ worker, port } = await spawn(data(options.port ?? DEFAULT_METRICS_PORT)));
  } catch (error) {
    clearInterval(beater);
    throw error;
  }

  let closing = false;
  let stopping = false;
  const restarts: number[] = [];
  const post = (message: ToTelemetryThread) => {
    try {
      worker.postMessage(message);
    } catch {
      // The thread is gone (it is being restarted, or the service closed): a lost event is fine.
    }
  };
  const watch = (w: Worker) => {
    w.on('error', (error) => options.onError?.(error));
    w.once('exit', (code) => {
      if (closing) return;
      const now = Date.now();
      while (restarts.length > 0 && now - restarts[0]! > 60_000) restarts.shift();
      if (restarts.length >= RESTARTS_PER_MINUTE) {
        options.onError?.(
          new Error(`the telemetry thread exited (code ${code}) too often; /healthz and /metrics are off`),
        );
        return;
      }
      restarts.push(now);
      options.onError?.(new Error(`the telemetry thread exited (code ${code}); restarting it`));
      // The same port again: whoever scrapes or checks health keeps its address.
      spawn(data(port)).then(
        (next) => {
          if (closing) {
            void next.worker.terminate();
            return;
          }
          worker = next.worker;
          watch(worker);
          if (stopping) post({ type: 'state', stopping: true });
        },
        (error: Error) => options.onError?.(error),
      );
    });
  };
  watch(worker);

  let detach: (() => void) | null = null;
  const poolTasks: PoolTaskEvent[] = [];
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    interaction(event) {
      post({ type: 'interaction', ...event });
    },
    poolTask(event) {
      // Bounded: snapshots drain it every second; a flood between two is sampled, not kept whole.
      if (poolTasks.length < 10_000) poolTasks.push(event);
    },
    attach(sources) {
      detach?.();
      const stopSnapshots = snapshotsOf(sources, poolTasks, post);
      const ledger = sources.measure.ledger;
      const previous = ledger.onChange;
      // Who holds the main thread, for /healthz's reason: written before the synchronous work starts.
      ledger.onChange = (holder: Holder | null, since: number) => {
        previous?.(holder, since);
        if (holder) {
          const bytes = encoder.encode(`${holder.label} by ${holder.user}`).slice(0, LABEL_BYTES);
          label.set(bytes);
          Atomics.store(slots, Slot.HolderSince, BigInt(since));
          Atomics.store(slots, Slot.LabelLength, BigInt(bytes.length));
        } else {
          Atomics.store(slots, Slot.LabelLength, 0n);
        }
      };
      detach = () => {
        stopSnapshots();
        if (ledger.onChange !== previous) ledger.onChange = previous;
        detach = null;
      };
      return detach;
    },
    setStopping() {
      stopping = true;
      post({ type: 'state', stopping: true });
    },
    async close() {
      if (closing) return;
      closing = true;
      detach?.();
      clearInterval(beater);
      const exited = once(worker, 'exit');
      post({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts one telemetry thread and waits until it listens (or says why it cannot). */
async function spawn(data: TelemetryThreadData): Promise<{ worker: Worker; port: number }> {
  const worker = startWorker(import.meta.url, 'telemetry-thread', { workerData: data });
  // The bot's lifetime decides, not this thread's: it never keeps the process alive by itself.
  worker.unref();
  const first = await new Promise<FromTelemetryThread>((resolve) => {
    worker.once('message', (message: FromTelemetryThread) => resolve(message));
    worker.once('error', (error) => resolve({ type: 'error', code: null, message: error.message }));
    worker.once('exit', (code) =>
      resolve({ type: 'error', code: null, message: `its thread exited (code ${code}) before it listened` }),
    );
  });
  if (first.type === 'error') {
    await worker.terminate();
    const where = `${data.host}:${data.port}`;
    const why =
      first.code === 'EADDRINUSE'
        ? 'that port is in use (set another METRICS_PORT, 0 for any free port, or METRICS_PORT=off)'
        : first.code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address (check METRICS_HOST)'
          : first.code === 'EACCES'
            ? 'permission denied (pick a METRICS_PORT above 1023)'
            : first.message;
    throw new TelemetryError(
      `The health and metrics server could not listen on ${where}: ${why}`,
      first.code,
    );
  }
  return { worker, port: first.port };
}

/** Posts a snapshot now and every SNAPSHOT_MS; returns the function that stops it. */
function snapshotsOf(
  sources: TelemetrySources,
  poolTasks: PoolTaskEvent[],
  post: (message: ToTelemetryThread) => void,
): () => void {
  const { measure, pool } = sources;
  let delayCursor = Date.now();
  let rateLimitCursor = Date.now();
  const take = (): SnapshotMessage => {
    const now = Date.now();
    const samples = measure.recorder.samples(delayCursor + 1, Number.POSITIVE_INFINITY);
    const last = samples[samples.length - 1];
    if (last) delayCursor = last.at;
    const recent = measure.recorder.stats(now - 10_000, now);
    const hits = measure.rest.rateLimits.filter((hit) => hit.at > rateLimitCursor);
    const lastHit = hits[hits.length - 1];
    if (lastHit) rateLimitCursor = lastHit.at;
    const cpuMs = threadCpuMs();
    const memory = process.memoryUsage();
    let poolStats: SnapshotMessage['pool'] = null;
    try {
      const stats = pool.stats();
      poolStats = {
        threads: stats.threads,
        queueSize: stats.queueSize,
        utilization: stats.utilization,
        completed: stats.completed,
        tasks: poolTasks.splice(0),
      };
    } catch {
      // A pool that is closing has no numbers.
    }
    let gateway: SnapshotMessage['gateway'] = null;
    try {
      gateway = sources.gateway();
    } catch {
      gateway = { connected: false, pingMs: -1, lastAckAt: null };
    }
    return {
      type: 'snapshot',
      at: now,
      loopDelaySamples: samples.map((sample) => sample.delayMs),
      loopDelay10s: { p50: recent.p50, p99: recent.p99, max: recent.max },
      elu10s: measure.utilization.window(now - 10_000, now).elu,
      mainThreadCpuS: cpuMs === null ? null : cpuMs / 1000,
      heap: { usedBytes: memory.heapUsed, totalBytes: memory.heapTotal },
      pool: poolStats,
      rateLimits: hits.map((hit) => ({ route: hit.route, global: hit.global })),
      gateway,
    };
  };
  post(take());
  const timer = setInterval(() => post(take()), SNAPSHOT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The same pool, telling `onTask` how long each successful task waited and ran. The wait is measured
 * from outside the pool (submit → result, less the run time reported by the worker), so it also
 * counts the message round trip and any main-thread delay in reading the result.
 */
export function observePool(pool: WorkPool, onTask: (event: PoolTaskEvent) => void): WorkPool {
  // Everything else (close({ force }), stats, size, whatever the pool grows) is the pool's own,
  // reached through the prototype with its arguments untouched.
  const observed = Object.create(pool) as WorkPool;
  observed.run = async (kind, ms, signal) => {
    const started = performance.now();
    const result = await pool.run(kind, ms, signal);
    const totalMs = performance.now() - started;
    onTask({ waitMs: Math.max(0, totalMs - result.elapsedMs), runMs: result.elapsedMs });
    return result;
  };
  return observed;
}

/** Whether `telemetry` is a full TelemetryService (the wiring attaches it), not just the interface. */
export function isTelemetryService(telemetry: Telemetry | undefined): telemetry is TelemetryService {
  return typeof (telemetry as Partial<TelemetryService> | undefined)?.attach === 'function';
}
