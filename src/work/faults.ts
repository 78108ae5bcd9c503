import { workerData } from 'node:worker_threads';

/**
 * Test-only misbehaviour for the pool's worker threads, so each way a worker can fail can be
 * produced on purpose. These are NOT work kinds (WORK_KINDS is what people may choose): a worker
 * performs a fault only when its pool was created with `allowFaults: true` (the pool hands that to
 * its workers as workerData), and only a pool created so has `runFault()`. The bot never does.
 */
export type WorkFault =
  /** The task throws an Error (the worker survives). */
  | { fault: 'throw'; message?: string }
  /** The task calls process.exit(code), which ends its worker thread. */
  | { fault: 'exit'; code?: number }
  /** An uncaught exception on the worker's event loop while the task is still running. */
  | { fault: 'crash'; message?: string }
  /** The task succeeds, then an uncaught exception kills the idle worker `afterMs` later. */
  | { fault: 'crash-when-idle'; afterMs?: number; message?: string }
  /** The task allocates until the worker's heap limit stops it. */
  | { fault: 'allocate' }
  /** The task claims `ms` but never stops (a runaway loop). */
  | { fault: 'runaway'; ms: number };

export type WorkFaultName = WorkFault['fault'];

const FAULT_NAMES: readonly WorkFaultName[] = [
  'throw',
  'exit',
  'crash',
  'crash-when-idle',
  'allocate',
  'runaway',
];

export function isWorkFault(value: unknown): value is WorkFault {
  return (
    typeof value === 'object' &&
    value !== null &&
    FAULT_NAMES.includes((value as { fault?: unknown }).fault as WorkFaultName)
  );
}

/** The budget a fault claims, which sets its time limit like any task's. */
export function faultBudgetMs(fault: WorkFault): number {
  return fault.fault === 'runaway' ? fault.ms : 1;
}

/** The workerData a pool gives its workers. */
export interface PoolWorkerData {
  allowFaults: boolean;
}

/** Whether this thread belongs to a pool created with `allowFaults: true`. */
export function faultsAllowedHere(): boolean {
  return (workerData as Partial<PoolWorkerData> | null | undefined)?.allowFaults === true;
}

// Kept reachable at module level so the allocation cannot be optimised away.
const hoard: number[][] = [];
let spin = 0;

/**
 * Performs `fault` on this (worker) thread. `onSuccess` builds a normal result for the faults that
 * return one. Returns a promise that never settles for `crash` (the worker dies under it).
 */
export function performFault<T>(fault: WorkFault, onSuccess: () => T): T | Promise<never> {
  switch (fault.fault) {
    case 'throw':
      throw new Error(fault.message ?? 'deliberate failure (fault injection)');
    case 'exit':
      return process.exit(fault.code ?? 3);
    case 'crash':
      return new Promise<never>(() => {
        setImmediate(() => {
          throw new Error(fault.message ?? 'deliberate crash (fault injection)');
        });
      });
    case 'crash-when-idle': {
      const result = onSuccess();
      setTimeout(() => {
        throw new Error(fault.message ?? 'deliberate crash while idle (fault injection)');
      }, fault.afterMs ?? 50);
      return result;
    }
    case 'allocate':
      for (;;) hoard.push(new Array<number>(100_000).fill(hoard.length + 0.5));
    case 'runaway':
      for (;;) spin = (Math.imul(spin, 31) + 7) | 0;
  }
  throw new Error(`unknown fault ${JSON.stringify(fault)}`);
}
