import { performance } from 'node:perf_hooks';
import { parentPort, threadId } from 'node:worker_threads';
import { faultsAllowedHere, isWorkFault, performFault, type WorkFault } from './faults.js';
import { assertWorkArgs, runWork, type WorkKind, type WorkResult } from './kinds.js';

export interface WorkTaskInput {
  kind: WorkKind;
  ms: number;
}

export interface WorkTaskResult extends WorkResult {
  /** When the task started in the worker, epoch ms (performance.timeOrigin + performance.now()). */
  startedAt: number;
}

/** What the pool posts to a worker: a piece of work, or (test pools only) a fault, with the pool's task id. */
export type WorkerTaskMessage = { id: number } & (WorkTaskInput | { fault: WorkFault });

/**
 * What a worker answers. A task's own error comes back as a value, not a rejection: a structured
 * clone of an Error keeps only its message and stack, and the pool must tell "the work threw, the
 * worker is fine" apart from "the worker thread died", which is what a rejection from piscina means.
 */
export type WorkerReply =
  | { ok: true; result: WorkTaskResult }
  | { ok: false; error: { name: string; message: string; stack?: string }; threadId: number };

/** Posted to the pool (through the worker's parentPort) the moment a task starts: its time limit runs from here. */
export interface TaskStartedMessage {
  type: typeof TASK_STARTED;
  id: number;
  threadId: number;
  startedAt: number;
}
export const TASK_STARTED = 'looplab:work-task-started';

export function isTaskStarted(value: unknown): value is TaskStartedMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === TASK_STARTED;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/** Runs one time-bounded piece of work on the calling thread (throws on bad input). */
export default function task(input: WorkTaskInput): WorkTaskResult {
  const startedAt = epochNow();
  if (typeof input !== 'object' || input === null) {
    throw new Error(`Work task input must be an object { kind, ms }, got ${String(input)}`);
  }
  const { kind, ms } = input as { kind: unknown; ms: unknown };
  assertWorkArgs(kind, ms);
  return { ...runWork(kind, ms as number), startedAt };
}

/**
 * The piscina entry point (the pool runs this export): tells the pool the task started, runs it
 * and answers with a {@link WorkerReply}. A fault is performed only in a pool created with
 * `allowFaults: true`; any other worker refuses it like bad input.
 */
export function inWorker(message: WorkerTaskMessage): WorkerReply | Promise<never> {
  const startedAt = epochNow();
  const id = typeof message === 'object' && message !== null ? message.id : -1;
  parentPort?.postMessage({ type: TASK_STARTED, id, threadId, startedAt } satisfies TaskStartedMessage);
  try {
    if (typeof message === 'object' && message !== null && 'fault' in message) {
      if (!faultsAllowedHere() || !isWorkFault(message.fault)) {
        throw new Error('Fault injection is only for test pools created with allowFaults: true');
      }
      const done = performFault(message.fault, () => task({ kind: 'sleep', ms: 1 }));
      return done instanceof Promise ? done : { ok: true, result: done };
    }
    return { ok: true, result: task(message) };
  } catch (err) {
    const error =
      err instanceof Error
        ? { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) }
        : { name: 'Error', message: String(err) };
    return { ok: false, error, threadId };
  }
}
