import { performance } from 'node:perf_hooks';

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
  readonly #snapshots: Snapshot[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(
    readonly everyMs = 100,
    private readonly keepMs = 15 * 60_000,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#snapshots.push(snapshot());
    this.#timer = setInterval(() => {
      this.#snapshots.push(snapshot());
      const horizon = Date.now() - this.keepMs;
      while ((this.#snapshots[0]?.at ?? Number.POSITIVE_INFINITY) < horizon) this.#snapshots.shift();
    }, this.everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Utilisation over [start, end]; an end at or after the last sample reads the live values. */
  window(start: number, end = Date.now()): WindowUtilization {
    const first =
      [...this.#snapshots].reverse().find((s) => s.at <= start) ?? this.#snapshots[0] ?? snapshot();
    const last = this.#snapshots.at(-1);
    const final = last && last.at >= end ? (this.#snapshots.find((s) => s.at >= end) ?? last) : snapshot();
    const idle = final.idle - first.idle;
    const active = final.active - first.active;
    return {
      elu: idle + active > 0 ? active / (idle + active) : 0,
      cpuMs: Math.max(0, final.cpuMs - first.cpuMs),
      wallMs: Math.max(0, final.at - first.at),
    };
  }
}
