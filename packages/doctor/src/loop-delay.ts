import { performance } from 'node:perf_hooks';
import { TimeWindow } from './bounded.js';
import { historyBounds } from './history.js';

export interface DelaySample {
  /** When the sample was taken (ms since the Unix epoch). */
  at: number;
  /** How late the loop was for this tick (ms). A blocked loop shows one big sample when it wakes. */
  delayMs: number;
}

export interface DelayStats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  /** Sum of delays above 50 ms: roughly how long the loop was stuck in this window. */
  stalledMs: number;
}

const STALL_MS = 50;

/** A tick this late or later means the loop is busy (not scheduling jitter): back to `resolutionMs`. */
const BUSY_DELAY_MS = 20;

/**
 * Records event-loop delay continuously, indexed by time, so any window (one interaction's, the
 * last 10 s) can be summarised after the fact even when demos overlap. A timer ticks every
 * `resolutionMs`; how late each tick fires is the loop's delay at that moment.
 */
export class LoopDelayRecorder {
  /** Delay per tick, stamped with the tick's time: every sample of the shared history window. */
  readonly #delays: TimeWindow<number>;
  #timer: NodeJS.Timeout | null = null;
  #expected = 0;
  /** The period the timer runs at now: `resolutionMs`, or `idleMs` while the bot is idle. */
  #everyMs: number;
  /** When the loop was last seen busy (a late tick) or woken (an interaction took the thread). */
  #busyAt = 0;

  constructor(
    readonly resolutionMs = 10,
    /** At most this many samples (default: the shared history window at this resolution). */
    maxEntries = historyBounds({ everyMs: resolutionMs }).maxEntries,
    /**
     * Idle CPU: after `idleAfterMs` with every tick on time and no wake(), the timer ticks every
     * `idleMs` instead (a stall is still caught: its tick is late by all of it); a late tick or
     * wake() (the ledger calls it when an interaction takes the main thread) goes back at once.
     * 0 turns the idle mode off.
     */
    readonly idleAfterMs = 5_000,
    readonly idleMs = 100,
  ) {
    this.#everyMs = resolutionMs;
    this.#delays = new TimeWindow({ ...historyBounds({ everyMs: resolutionMs }), maxEntries });
  }

  /** How many samples are kept now (bounded by the history window). */
  get size(): number {
    return this.#delays.size;
  }

  start(): void {
    if (this.#timer) return;
    this.#busyAt = performance.now();
    this.#run(this.resolutionMs);
  }

  /** Back to full resolution now (something is about to use the main thread). */
  wake(): void {
    this.#busyAt = performance.now();
    if (this.#timer && this.#everyMs !== this.resolutionMs) this.#run(this.resolutionMs);
  }

  /** The timer's period now (ms): `resolutionMs`, or `idleMs` while idle. */
  get everyMs(): number {
    return this.#everyMs;
  }

  #run(everyMs: number): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#everyMs = everyMs;
    this.#expected = performance.now() + everyMs;
    this.#timer = setInterval(() => this.#tick(), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    const now = performance.now();
    const late = Math.max(0, now - this.#expected);
    // setInterval does not queue missed ticks: the next one is due one interval after this.
    this.#expected = now + this.#everyMs;
    this.record(Date.now(), late);
    if (late >= BUSY_DELAY_MS) {
      this.#busyAt = now;
      if (this.#everyMs !== this.resolutionMs) this.#run(this.resolutionMs);
    } else if (
      this.idleAfterMs > 0 &&
      this.#everyMs === this.resolutionMs &&
      now - this.#busyAt >= this.idleAfterMs
    ) {
      this.#run(Math.max(this.idleMs, this.resolutionMs));
    }
  }

  /** Adds a sample (the recorder's own timer does this; tests may too). */
  record(at: number, delayMs: number): void {
    this.#delays.push(at, delayMs);
  }

  /** Samples whose tick fell in [start, end], oldest first. A stall that ends inside the window counts. */
  samples(start: number, end: number): DelaySample[] {
    const out: DelaySample[] = [];
    this.#delays.forEachBetween(start, end, (at, delayMs) => out.push({ at, delayMs }));
    return out;
  }

  /**
   * Stats for [start, end]. A sample taken shortly after `end` whose delay reaches back into the
   * window (a stall that was still going on at `end`) is counted too, so a report written right
   * after a block sees it.
   */
  stats(start: number, end: number): DelayStats {
    const inside = this.samples(start, Number.POSITIVE_INFINITY)
      .filter((s) => s.at <= end || s.at - s.delayMs < end)
      .map((s) => s.delayMs);
    const pending = this.pendingDelay();
    // Called right after synchronous work, before the timer could fire: count the delay in progress.
    if (pending > 0 && end >= Date.now() - this.resolutionMs) inside.push(pending);
    return summarise(inside);
  }

  /** How late the next tick already is: non-zero while (or right after) the loop is held. */
  pendingDelay(): number {
    if (!this.#timer) return 0;
    return Math.max(0, performance.now() - this.#expected);
  }

  /** Samples for a chart, plus the delay in progress as a last sample at `now`. */
  chartSamples(start: number, end: number): DelaySample[] {
    const out = this.samples(start, end);
    const pending = this.pendingDelay();
    if (pending > this.resolutionMs) out.push({ at: Date.now(), delayMs: pending });
    return out;
  }

  /** Every stall (one sample each) overlapping [start, end]: when it began and how long it lasted. */
  stalls(start: number, end: number, minMs = STALL_MS): Array<{ start: number; end: number; ms: number }> {
    return this.samples(start, Number.POSITIVE_INFINITY)
      .filter((s) => s.delayMs >= minMs && s.at - s.delayMs <= end)
      .map((s) => ({ start: s.at - s.delayMs, end: s.at, ms: s.delayMs }));
  }
}

export function summarise(values: number[]): DelayStats {
  if (values.length === 0) return { samples: 0, p50: 0, p99: 0, max: 0, stalledMs: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank percentile: the smallest value with at least q of the samples at or below it.
  const pick = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return {
    samples: sorted.length,
    p50: pick(0.5),
    p99: pick(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    stalledMs: values.filter((v) => v >= STALL_MS).reduce((a, b) => a + b, 0),
  };
}
