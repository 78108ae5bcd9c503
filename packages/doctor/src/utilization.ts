import { performance } from 'node:perf_hooks';
import { TimeWindow } from './bounded.js';
import { historyBounds } from './history.js';

interface Snapshot {
  at: number;
  idle: number;
  active: number;
  /** CPU time (user + system) of the main thread, or of the whole process on Node 20 (see CPU_SCOPE), ms. */
  cpuMs: number;
}

/**
 * Which clock `cpuMs` was read from. Node ≥ 23.9 has process.threadCpuUsage(): the calling thread's
 * own CPU time, so the number is the main thread's alone. Node 20 has only process.cpuUsage(), the
 * whole process (the main thread plus every worker thread: the pool, the watchdog, the sandbox).
 */
export type CpuScope = 'thread' | 'process';

export interface WindowUtilization {
  /** Event-loop utilisation of the main thread: share of the window it spent running JS, 0..1. */
  elu: number;
  /** CPU time used in the window, ms: the main thread's (cpuScope 'thread') or the whole process's ('process'). */
  cpuMs: number;
  wallMs: number;
  /** Whose CPU time `cpuMs` is: the main thread's where Node can tell (≥ 23.9), else the process's (always set by the recorder; optional for hand-made values). */
  cpuScope?: CpuScope;
}

type CpuReader = () => NodeJS.CpuUsage;
const threadCpuUsage = (process as unknown as { threadCpuUsage?: CpuReader }).threadCpuUsage;

/** The clock this Node offers: the main thread's own CPU time when it can, else the process total. */
export const CPU_SCOPE: CpuScope = typeof threadCpuUsage === 'function' ? 'thread' : 'process';

const readCpu: CpuReader =
  typeof threadCpuUsage === 'function' ? () => threadCpuUsage.call(process) : () => process.cpuUsage();

function snapshot(): Snapshot {
  const { idle, active } = performance.eventLoopUtilization();
  const cpu = readCpu();
  return { at: Date.now(), idle, active, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Samples the main thread's event-loop utilisation and its CPU time (the process's on Node 20), so any window can
 * say "the loop was busy 100% of the time but the CPU did almost nothing" — the signature of a
 * synchronous sleep (Atomics.wait, Python's time.sleep in async code).
 */
export class UtilizationRecorder {
  readonly #snapshots: TimeWindow<Snapshot>;
  #timer: NodeJS.Timeout | null = null;

  constructor(readonly everyMs = 100) {
    this.#snapshots = new TimeWindow(historyBounds({ everyMs }));
  }

  /** How many snapshots are kept now (bounded by the history window). */
  get size(): number {
    return this.#snapshots.size;
  }

  start(): void {
    if (this.#timer) return;
    this.#add(snapshot());
    this.#timer = setInterval(() => this.#add(snapshot()), this.everyMs);
    this.#timer.unref();
  }

  #add(s: Snapshot): void {
    this.#snapshots.push(s.at, s);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Utilisation over [start, end]; an end at or after the last sample reads the live values. */
  window(start: number, end = Date.now()): WindowUtilization {
    const first = this.#snapshots.atOrBefore(start)?.item ?? this.#snapshots.first()?.item ?? snapshot();
    const last = this.#snapshots.last()?.item;
    const final = last && last.at >= end ? (this.#snapshots.atOrAfter(end)?.item ?? last) : snapshot();
    const idle = final.idle - first.idle;
    const active = final.active - first.active;
    return {
      elu: idle + active > 0 ? active / (idle + active) : 0,
      cpuMs: Math.max(0, final.cpuMs - first.cpuMs),
      wallMs: Math.max(0, final.at - first.at),
      cpuScope: CPU_SCOPE,
    };
  }
}

/** The calling thread's own CPU time so far (ms), or null on a Node that cannot tell (20: only the process's). */
export function threadCpuMs(): number | null {
  if (typeof threadCpuUsage !== 'function') return null;
  const cpu = threadCpuUsage.call(process);
  return (cpu.user + cpu.system) / 1000;
}
