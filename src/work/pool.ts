import type { EventLoopUtilization } from 'node:perf_hooks';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { workerScript } from '../lib/worker-file.js';
import type { WorkKind, WorkResult } from './kinds.js';
import type { WorkTaskInput, WorkTaskResult } from './task.js';

export interface PoolStats {
  threads: number;
  /** Mean event-loop utilisation (0..1) of the workers over the current window. */
  utilization: number;
  /** Tasks waiting for a free worker. */
  queueSize: number;
  /** Tasks finished since the pool started (successes and failures). */
  completed: number;
  perWorker: Array<{ threadId: number; utilization: number }>;
}

export interface PoolWindowStats {
  /** From submit until the task started in the worker. */
  waitMs: { mean: number; p99: number; max: number };
  /** Time the task ran in the worker (WorkResult.elapsedMs). */
  runMs: { mean: number; p99: number; max: number };
  /** Successful tasks finished in the window. */
  tasks: number;
}

export interface WorkPool {
  run(kind: WorkKind, ms: number, signal?: AbortSignal): Promise<WorkResult>;
  /** Current numbers; utilisation covers the window since creation or the last resetWindow(). */
  stats(): PoolStats;
  /** Returns the wait/run statistics of the window that just ended and starts a new one. */
  resetWindow(): PoolWindowStats;
  close(): Promise<void>;
  readonly size: number;
}

/** Samples kept a window for percentiles; mean and max stay exact beyond it. */
const MAX_SAMPLES = 10_000;

class Series {
  private samples: number[] = [];
  private sum = 0;
  private count = 0;
  private max = 0;

  add(value: number): void {
    this.sum += value;
    this.count++;
    this.max = Math.max(this.max, value);
    if (this.samples.length < MAX_SAMPLES) this.samples.push(value);
  }

  get length(): number {
    return this.count;
  }

  summary(): { mean: number; p99: number; max: number } {
    if (this.count === 0) return { mean: 0, p99: 0, max: 0 };
    const sorted = [...this.samples].sort((a, b) => a - b);
    const p99 = sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? this.max;
    return { mean: round2(this.sum / this.count), p99: round2(p99), max: round2(this.max) };
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * A piscina pool of `size` threads running src/work/task. Workers are started up front and never
 * retire (minThreads = maxThreads, a day of idle timeout); a task aborted through `signal` while it
 * runs costs its worker, which piscina replaces.
 */
export function createWorkPool(size: number): WorkPool {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Pool size must be an integer ≥ 1, got ${size}`);
  }
  const { filename, execArgv } = workerScript(import.meta.url, 'task');
  const piscina = new Piscina<WorkTaskInput, WorkTaskResult>({
    filename,
    execArgv,
    name: 'default',
    minThreads: size,
    maxThreads: size,
    idleTimeout: 24 * 60 * 60 * 1000,
    // piscina's default 'sync' mode parks idle workers in Atomics.wait() inside JavaScript, which
    // makes their event loop look 100 % busy; plain message passing keeps utilisation meaningful.
    atomics: 'disabled',
  });

  // piscina emits 'error' when a worker dies with no task to blame (e.g. it failed to boot); without a
  // listener that would be an uncaught exception taking the whole bot down.
  piscina.on('error', (err: unknown) => {
    process.emitWarning(`work pool: ${err instanceof Error ? err.message : String(err)}`, 'LoopLabWorkPool');
  });

  let wait = new Series();
  let run = new Series();
  // Event-loop utilisation of each worker at the start of the window, by threadId.
  let eluBase = new Map<number, EventLoopUtilization>();
  const snapshotElu = (): Map<number, EventLoopUtilization> => {
    const map = new Map<number, EventLoopUtilization>();
    for (const worker of piscina.threads) {
      const elu = readElu(worker);
      if (elu) map.set(worker.threadId, elu);
    }
    return map;
  };
  eluBase = snapshotElu();
  let closing: Promise<void> | undefined;

  return {
    size,
    async run(kind, ms, signal) {
      const submittedAt = epochNow();
      const { startedAt, ...result } = await piscina.run({ kind, ms }, signal ? { signal } : {});
      wait.add(Math.max(0, startedAt - submittedAt));
      run.add(result.elapsedMs);
      return result;
    },
    stats() {
      const perWorker: PoolStats['perWorker'] = [];
      for (const worker of piscina.threads) {
        const now = readElu(worker);
        if (!now) continue;
        const base = eluBase.get(worker.threadId);
        const utilization = base
          ? worker.performance.eventLoopUtilization(now, base).utilization
          : now.utilization;
        perWorker.push({ threadId: worker.threadId, utilization: round3(utilization) });
      }
      const utilization =
        perWorker.length === 0 ? 0 : perWorker.reduce((sum, w) => sum + w.utilization, 0) / perWorker.length;
      return {
        threads: piscina.threads.length,
        utilization: round3(utilization),
        queueSize: piscina.queueSize,
        completed: piscina.completed,
        perWorker,
      };
    },
    resetWindow() {
      const ended: PoolWindowStats = { waitMs: wait.summary(), runMs: run.summary(), tasks: run.length };
      wait = new Series();
      run = new Series();
      eluBase = snapshotElu();
      return ended;
    },
    close() {
      closing ??= piscina.close();
      return closing;
    },
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** A worker that is starting up or has exited has no usable event-loop numbers. */
function readElu(worker: Worker): EventLoopUtilization | undefined {
  try {
    return worker.performance.eventLoopUtilization();
  } catch {
    return undefined;
  }
}
