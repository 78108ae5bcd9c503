import type { EventLoopUtilization } from 'node:perf_hooks';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { workerScript } from '../lib/worker-file.js';
import {
  exitedReason,
  type FailedTask,
  outOfMemoryReason,
  type Replacement,
  threwReason,
  timedOutReason,
  WorkFailure,
} from './failure.js';
import { faultBudgetMs, type PoolWorkerData, type WorkFault } from './faults.js';
import { MAX_WORK_MS, type WorkKind, type WorkResult } from './kinds.js';
import { isTaskStarted, type WorkerReply, type WorkerTaskMessage } from './task.js';
import { workerExecArgv } from './worker-flags.js';

export { isWorkFailure, WorkFailure, type WorkFailureKind } from './failure.js';

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
  /**
   * Runs `kind` for about `ms` on a worker thread. Rejects with a {@link WorkFailure} when the work
   * throws, its worker thread dies, runs out of memory or overruns its time limit (see
   * {@link taskTimeLimitMs}); with piscina's AbortError when `signal` aborts it.
   */
  run(kind: WorkKind, ms: number, signal?: AbortSignal): Promise<WorkResult>;
  /** Current numbers; utilisation covers the window since creation or the last resetWindow(). */
  stats(): PoolStats;
  /** Returns the wait/run statistics of the window that just ended and starts a new one. */
  resetWindow(): PoolWindowStats;
  /** Closes the pool; `force` aborts tasks still running (a shutdown past its grace time). */
  close(options?: { force?: boolean }): Promise<void>;
  readonly size: number;
}

/** A pool created with `allowFaults: true` (tests only): it can make its workers misbehave. */
export interface FaultTestPool extends WorkPool {
  runFault(fault: WorkFault, signal?: AbortSignal): Promise<WorkResult>;
}

export interface WorkPoolOptions {
  /** Heap limit of each worker thread (piscina resourceLimits.maxOldGenerationSizeMb). Default 256. */
  maxOldGenerationSizeMb?: number;
  /** A task may run `ms + max(timeoutMarginMs, ms)` before its worker is stopped. Default 10 000. */
  timeoutMarginMs?: number;
  /** No task runs longer than this, whatever it asked for. Default MAX_WORK_MS + 60 s. */
  maxTaskMs?: number;
  /**
   * Told about pool errors no task is waiting for: a worker thread that died while idle (as a
   * {@link WorkFailure}), a close that timed out. They never throw; without this callback they
   * become process warnings.
   */
  onError?: (error: Error) => void;
  /** Tests only: lets `runFault()` make workers throw, exit, crash, run out of memory or run away. */
  allowFaults?: boolean;
}

export const DEFAULT_MAX_OLD_GENERATION_MB = 256;
export const DEFAULT_TIMEOUT_MARGIN_MS = 10_000;
export const DEFAULT_MAX_TASK_MS = MAX_WORK_MS + 60_000;

/** How long a task that asked for `ms` may run, from its start on the worker, before the worker is stopped. */
export function taskTimeLimitMs(
  ms: number,
  { timeoutMarginMs = DEFAULT_TIMEOUT_MARGIN_MS, maxTaskMs = DEFAULT_MAX_TASK_MS }: WorkPoolOptions = {},
): number {
  const asked = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return Math.min(asked + Math.max(timeoutMarginMs, asked), maxTaskMs);
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

interface InFlight {
  controller: AbortController;
  limitMs: number;
  requestedMs: number;
  task: FailedTask;
  threadId?: number;
  timer?: NodeJS.Timeout;
  timedOut: boolean;
  settled: boolean;
  /** Called once the task's start message arrives. */
  onStart?: () => void;
}

/**
 * How long a failed task waits for its start message to learn which worker it ran on: a worker's
 * uncaught exception reaches the pool before the messages it had posted, which follow at its exit.
 */
const START_MESSAGE_GRACE_MS = 250;

/**
 * A piscina pool of `size` threads running src/work/task (its `inWorker` export). Workers are
 * started up front and never retire (minThreads = maxThreads, a day of idle timeout).
 *
 * Every task has a time limit ({@link taskTimeLimitMs}) counted from the moment it starts on its
 * worker (the task says so through the worker's parentPort, so time spent queued does not count);
 * past it the task is aborted through piscina's AbortSignal support, which terminates the worker,
 * and piscina starts a new one. A worker that exits or crashes under a task, or goes over its heap
 * limit, is replaced the same way; the task rejects with a {@link WorkFailure} saying which.
 */
export function createWorkPool(size: number, options: WorkPoolOptions & { allowFaults: true }): FaultTestPool;
export function createWorkPool(size: number, options?: WorkPoolOptions): WorkPool;
export function createWorkPool(size: number, options: WorkPoolOptions = {}): WorkPool | FaultTestPool {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Pool size must be an integer ≥ 1, got ${size}`);
  }
  const memoryMb = options.maxOldGenerationSizeMb ?? DEFAULT_MAX_OLD_GENERATION_MB;
  if (!(memoryMb > 0)) throw new RangeError(`maxOldGenerationSizeMb must be > 0, got ${memoryMb}`);
  const allowFaults = options.allowFaults === true;
  const script = workerScript(import.meta.url, 'task');
  const execArgv = workerExecArgv(script.execArgv);
  const piscina = new Piscina<WorkerTaskMessage, WorkerReply>({
    filename: script.filename,
    ...(execArgv ? { execArgv } : {}),
    name: 'inWorker',
    minThreads: size,
    maxThreads: size,
    idleTimeout: 24 * 60 * 60 * 1000,
    // piscina's default 'sync' mode parks idle workers in Atomics.wait() inside JavaScript, which
    // makes their event loop look 100 % busy; plain message passing keeps utilisation meaningful.
    atomics: 'disabled',
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    workerData: { allowFaults } satisfies PoolWorkerData,
  });

  const report = (error: Error): void => {
    try {
      if (options.onError) options.onError(error);
      else process.emitWarning(`work pool: ${error.message}`, 'LoopLabWorkPool');
    } catch {
      // A failing error callback must not turn into an uncaught exception either.
    }
  };
  const replacement = (): Replacement => {
    const threads = closing ? 0 : piscina.threads.length;
    return { replaced: !closing && threads >= size, threads, size };
  };

  // piscina emits 'error' when a worker dies with no task to blame (it crashed while idle, or failed
  // to boot) and when close() times out; without a listener that would be an uncaught exception
  // taking the whole bot down.
  piscina.on('error', (err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    report(isWorkerDeath(error) ? workerDeath(error, undefined, replacement(), memoryMb) : error);
  });

  const inFlight = new Map<number, InFlight>();
  let nextId = 1;
  // A task announces its start through its worker's parentPort (piscina re-emits it as 'message').
  piscina.on('message', (message: unknown) => {
    if (!isTaskStarted(message)) return;
    const entry = inFlight.get(message.id);
    if (!entry || entry.threadId !== undefined) return;
    entry.threadId = message.threadId;
    entry.onStart?.();
    if (entry.settled) return;
    entry.timer = setTimeout(() => {
      // A result may be waiting behind this timer: after a long main-thread block the timers phase
      // runs before the poll phase that delivers worker messages. Decide in the check phase, after it.
      setImmediate(() => {
        if (entry.settled) return;
        entry.timedOut = true;
        entry.controller.abort(new Error(`time limit of ${entry.limitMs} ms reached`));
      });
    }, entry.limitMs);
    entry.timer.unref();
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

  async function submit(
    payload: WorkerTaskMessage,
    requestedMs: number,
    task: FailedTask,
    signal?: AbortSignal,
  ): Promise<WorkResult> {
    const entry: InFlight = {
      controller: new AbortController(),
      limitMs: taskTimeLimitMs(requestedMs, options),
      requestedMs,
      task,
      timedOut: false,
      settled: false,
    };
    const onCallerAbort = (): void => entry.controller.abort(signal?.reason);
    if (signal?.aborted) onCallerAbort();
    else signal?.addEventListener('abort', onCallerAbort, { once: true });
    inFlight.set(payload.id, entry);
    const submittedAt = epochNow();
    let reply: WorkerReply;
    try {
      reply = await piscina.run(payload, { signal: entry.controller.signal });
    } catch (err) {
      entry.settled = true;
      if (entry.timer) clearTimeout(entry.timer);
      if (entry.threadId === undefined && !entry.timedOut && err instanceof Error && isWorkerDeath(err)) {
        await startMessage(entry, START_MESSAGE_GRACE_MS);
      }
      throw failureOf(err, entry, signal);
    } finally {
      entry.settled = true;
      if (entry.timer) clearTimeout(entry.timer);
      inFlight.delete(payload.id);
      signal?.removeEventListener('abort', onCallerAbort);
    }
    if (!reply.ok) {
      throw new WorkFailure({
        kind: 'threw',
        reason: threwReason(reply.error.message),
        task,
        threadId: reply.threadId,
        replaced: false,
        cause: Object.assign(new Error(reply.error.message), {
          name: reply.error.name,
          ...(reply.error.stack ? { stack: reply.error.stack } : {}),
        }),
      });
    }
    const { startedAt, ...result } = reply.result;
    wait.add(Math.max(0, startedAt - submittedAt));
    run.add(result.elapsedMs);
    return result;
  }

  /** What a rejection from piscina means for this task. */
  function failureOf(err: unknown, entry: InFlight, signal?: AbortSignal): unknown {
    const { task, threadId } = entry;
    const where = threadId === undefined ? {} : { threadId };
    if (entry.timedOut) {
      const r = replacement();
      return new WorkFailure({
        kind: 'timed-out',
        reason: timedOutReason(entry.limitMs, entry.requestedMs, r),
        limit: entry.limitMs,
        task,
        ...where,
        replaced: r.replaced,
        cause: err,
      });
    }
    // The caller's own abort, the pool closing, a full queue: not the worker's fault, passed on as is.
    if (signal?.aborted || !(err instanceof Error) || !isWorkerDeath(err)) return err;
    return workerDeath(err, { task, ...where }, replacement(), memoryMb);
  }

  const pool: FaultTestPool = {
    size,
    run(kind, ms, signal) {
      return submit({ id: nextId++, kind, ms }, ms, { kind, ms }, signal);
    },
    runFault(fault, signal) {
      if (!allowFaults) {
        return Promise.reject(new Error('runFault() needs a pool created with allowFaults: true'));
      }
      const ms = faultBudgetMs(fault);
      return submit({ id: nextId++, fault }, ms, { kind: `fault:${fault.fault}`, ms }, signal);
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
    close({ force = false } = {}) {
      if (force) {
        // piscina's own force only drops queued tasks: abort the running ones too (their workers stop).
        for (const entry of inFlight.values()) entry.controller.abort(new Error('the pool is closing'));
      }
      closing ??= piscina.close({ force });
      return closing;
    },
  };
  if (allowFaults) return pool;
  const { runFault: _, ...plain } = pool;
  return plain;
}

/** Resolves when `entry` learns its worker's threadId, or after `timeoutMs`. */
function startMessage(entry: InFlight, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    entry.onStart = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

const EXIT_MESSAGE = /^worker exited with code: (-?\d+)/;
const OUT_OF_MEMORY = 'ERR_WORKER_OUT_OF_MEMORY';

/** piscina's own rejections (src/errors.ts there), which say nothing about a worker's health. */
const PISCINA_OWN =
  /^(Terminating worker thread|Close operation timed out|Task queue is at limit|No task queue available|filename must be provided)/;

/**
 * Whether piscina rejected because the worker thread itself is gone (it exited, crashed or ran out
 * of memory) rather than for one of its own reasons (AbortError, a closing pool, a full queue).
 */
function isWorkerDeath(err: Error): boolean {
  return err.name !== 'AbortError' && !PISCINA_OWN.test(err.message);
}

function workerDeath(
  err: Error,
  during: { task: FailedTask; threadId?: number } | undefined,
  r: Replacement,
  memoryMb: number,
): WorkFailure {
  const base = { ...during, replaced: r.replaced, cause: err };
  if ((err as NodeJS.ErrnoException).code === OUT_OF_MEMORY) {
    return new WorkFailure({
      kind: 'out-of-memory',
      reason: outOfMemoryReason(memoryMb, r),
      limit: memoryMb,
      ...base,
    });
  }
  const exit = EXIT_MESSAGE.exec(err.message);
  const how = exit ? { exitCode: Number(exit[1]) } : { crash: err.message || err.name };
  return new WorkFailure({
    kind: 'worker-exited',
    reason: exitedReason(how, during !== undefined, r),
    ...(exit ? { exitCode: Number(exit[1]) } : {}),
    ...base,
  });
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
