import { performance } from 'node:perf_hooks';
import { assertWorkArgs, runWork, type WorkKind, type WorkResult } from './kinds.js';

export interface WorkTaskInput {
  kind: WorkKind;
  ms: number;
}

export interface WorkTaskResult extends WorkResult {
  /** When the task started in the worker, epoch ms (performance.timeOrigin + performance.now()). */
  startedAt: number;
}

/** The piscina task module: runs one time-bounded piece of work on the worker thread. */
export default function task(input: WorkTaskInput): WorkTaskResult {
  const startedAt = performance.timeOrigin + performance.now();
  if (typeof input !== 'object' || input === null) {
    throw new Error(`Work task input must be an object { kind, ms }, got ${String(input)}`);
  }
  const { kind, ms } = input as { kind: unknown; ms: unknown };
  assertWorkArgs(kind, ms);
  return { ...runWork(kind, ms as number), startedAt };
}
