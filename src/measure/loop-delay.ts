import { performance } from 'node:perf_hooks';

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

/**
 * Records event-loop delay continuously, indexed by time, so any window (one interaction's, the
 * last 10 s) can be summarised after the fact even when demos overlap. A timer ticks every
 * `resolutionMs`; how late each tick fires is the loop's delay at that moment.
 */
export class LoopDelayRecorder {
  readonly #at: Float64Array;
  readonly #delay: Float64Array;
  #next = 0;
  #count = 0;
  #timer: NodeJS.Timeout | null = null;
  #expected = 0;

  constructor(
    readonly resolutionMs = 10,
    capacity = 12_000,
  ) {
    this.#at = new Float64Array(capacity);
    this.#delay = new Float64Array(capacity);
  }

  start(): void {
    if (this.#timer) return;
    this.#expected = performance.now() + this.resolutionMs;
    this.#timer = setInterval(() => this.#tick(), this.resolutionMs);
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
    this.#expected = now + this.resolutionMs;
    this.record(Date.now(), late);
  }

  /** Adds a sample (the recorder's own timer does this; tests may too). */
  record(at: number, delayMs: number): void {
    this.#at[this.#next] = at;
    this.#delay[this.#next] = delayMs;
    this.#next = (this.#next + 1) % this.#at.length;
    this.#count = Math.min(this.#count + 1, this.#at.length);
  }

  /** Samples whose tick fell in [start, end], oldest first. A stall that ends inside the window counts. */
  samples(start: number, end: number): DelaySample[] {
    const out: DelaySample[] = [];
    const capacity = this.#at.length;
    for (let i = 0; i < this.#count; i++) {
      const index = (this.#next - this.#count + i + capacity) % capacity;
      const at = this.#at[index] ?? 0;
      if (at >= start && at <= end) out.push({ at, delayMs: this.#delay[index] ?? 0 });
    }
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
