import type { WorkResult } from '../work/kinds.js';

export type Strategy = 'block' | 'nonblock' | 'io' | 'yield';

/** What a demo did, for its report. Times are in this machine's clock. */
export interface DemoOutcome {
  strategy: Strategy;
  /** e.g. "/block 2000 (cpu)" */
  label: string;
  kind: string;
  requestedMs: number;
  /** Synchronous work done (block on the main thread, nonblock in a worker, yield in slices). */
  work?: WorkResult;
  /** Asynchronous I/O awaited (io). */
  io?: IoResult;
  /** Yield details (slices run, longest slice). */
  slices?: { count: number; longestMs: number; sliceMs: number; othersAnswered: number };
  /** The work never ran because the token was already dead. */
  skipped?: boolean;
  /** The work did not finish: a worker thread failed (it threw, died, ran out of memory or time). */
  failure?: { kind: string; reason: string };
}

export interface IoResult {
  kind: string;
  operations: number;
  elapsedMs: number;
  detail: string;
}
