import { ms as formatMs, seconds } from '../lib/format.js';

/**
 * Why a piece of offloaded work did not come back:
 * - `threw`: the work threw an error; the worker thread caught it and keeps serving;
 * - `worker-exited`: the worker thread itself ended (process.exit, an uncaught exception) under the task;
 * - `out-of-memory`: the worker thread went over its heap limit (`limit`, in MB) and was stopped;
 * - `timed-out`: the task ran past its time limit (`limit`, in ms) and its worker thread was stopped.
 */
export const WORK_FAILURE_KINDS = ['threw', 'worker-exited', 'out-of-memory', 'timed-out'] as const;
export type WorkFailureKind = (typeof WORK_FAILURE_KINDS)[number];

/** The task a failure belongs to (absent for a worker that died while idle). */
export interface FailedTask {
  /** The work kind ('cpu', …), or `fault:<name>` for a test pool's injected fault. */
  kind: string;
  /** The budget asked for. */
  ms: number;
}

export interface WorkFailureInit {
  kind: WorkFailureKind;
  /** One plain sentence, lower-case start, no final full stop: "the worker thread ran out of memory (…)". */
  reason: string;
  limit?: number;
  task?: FailedTask;
  threadId?: number;
  exitCode?: number;
  /** Whether the pool started a new worker thread in place of the one that died. */
  replaced?: boolean;
  cause?: unknown;
}

/**
 * A pool task that failed, typed so the caller can word it for a learner: `kind` says what went
 * wrong, `reason` says it in one plain sentence (it is also the message), `limit` is the limit that
 * was crossed (MB for `out-of-memory`, ms for `timed-out`, see `unit`). The original error, if any,
 * is the `cause`.
 */
export class WorkFailure extends Error {
  override readonly name = 'WorkFailure';
  readonly kind: WorkFailureKind;
  readonly reason: string;
  readonly limit?: number;
  readonly unit?: 'MB' | 'ms';
  readonly task?: FailedTask;
  /** The worker thread the task ran on, when known. */
  readonly threadId?: number;
  readonly exitCode?: number;
  /** The worker thread is gone and a new one took its place (false for `threw`: the worker lived on). */
  readonly replaced: boolean;

  constructor(init: WorkFailureInit) {
    super(init.reason, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.reason = init.reason;
    if (init.limit !== undefined) {
      this.limit = init.limit;
      this.unit = init.kind === 'out-of-memory' ? 'MB' : 'ms';
    }
    if (init.task !== undefined) this.task = init.task;
    if (init.threadId !== undefined) this.threadId = init.threadId;
    if (init.exitCode !== undefined) this.exitCode = init.exitCode;
    this.replaced = init.replaced ?? false;
  }
}

export function isWorkFailure(value: unknown): value is WorkFailure {
  return value instanceof WorkFailure;
}

// --- the sentences ------------------------------------------------------------------------------------

/** What became of the worker thread's place in the pool. */
export interface Replacement {
  replaced: boolean;
  /** Threads the pool has now, and should have. */
  threads: number;
  size: number;
}

const downTo = (r: Replacement): string => `; the pool is down to ${r.threads} of ${r.size} worker threads`;

export function threwReason(message: string): string {
  return `the work threw an error on its worker thread (${message}); the worker caught it and carries on`;
}

/** "the worker thread exited (code 3) in the middle of the task and was replaced" */
export function exitedReason(
  how: { exitCode?: number; crash?: string },
  duringTask: boolean,
  r: Replacement,
): string {
  const what = how.crash !== undefined ? `crashed (${how.crash})` : `exited (code ${how.exitCode ?? '?'})`;
  const when = duringTask ? 'the worker thread' : 'a worker thread';
  const where = duringTask ? 'in the middle of the task' : 'while idle';
  return `${when} ${what} ${where}${r.replaced ? ' and was replaced' : downTo(r)}`;
}

/** "the worker thread ran out of memory (limit 256 MB) and was replaced" */
export function outOfMemoryReason(limitMb: number | undefined, r: Replacement): string {
  const limit = limitMb === undefined ? '' : ` (limit ${limitMb} MB)`;
  return `the worker thread ran out of memory${limit}${r.replaced ? ' and was replaced' : downTo(r)}`;
}

/** "the task was still running after 10.5 s, its time limit for 500 ms of work, so its worker thread was stopped and replaced" */
export function timedOutReason(limitMs: number, requestedMs: number, r: Replacement): string {
  return (
    `the task was still running after ${seconds(limitMs)}, its time limit for ${formatMs(requestedMs)} of work, ` +
    `so its worker thread was stopped${r.replaced ? ' and replaced' : downTo(r)}`
  );
}
