import { performance } from 'node:perf_hooks';
import { TimeWindow } from '../lib/bounded.js';
import { historyBounds } from './history.js';

interface Snapshot {
  at: number;
  idle: number;
  active: number;
  /** Process CPU time (user + system), ms. */
  cpuMs: number;
}

export interface WindowUtilization {
  /** Event-loop utilisation of the main thread: share of the window it spent running JS, 0..1. */
  elu: number;
  /** CPU time the whole process used in the window (all threads), ms. */
  cpuMs: number;
  wallMs: number;
}

function snapshot(): Snapshot {
  const { idle, active } = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  return { at: Date.now(), idle, active, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Samples the main thread's event-loop utilisation and the process's CPU time, so any window can
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
    };
  }
}
