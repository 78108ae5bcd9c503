import { performance } from 'node:perf_hooks';

/**
 * Discord's clock minus ours, from the `Date` header of REST answers (1 s resolution): the
 * server's time lies in [D, D + 1000) and ours in [sent, received], so each answer bounds the
 * offset to an interval; intersecting them narrows it down. (LoopLab's src/measure/clock-offset.ts
 * does the same; the two are to be reconciled into this one.)
 */
export class ClockOffset {
  #low = Number.NEGATIVE_INFINITY;
  #high = Number.POSITIVE_INFINITY;
  samples = 0;

  addSample(dateHeader: string | null | undefined, sentAt: number, receivedAt: number): void {
    if (!dateHeader) return;
    const server = Date.parse(dateHeader);
    if (!Number.isFinite(server) || receivedAt < sentAt) return;
    const low = server - receivedAt;
    const high = server + 1_000 - sentAt;
    if (Math.max(this.#low, low) > Math.min(this.#high, high)) {
      // The clocks moved (an NTP step): start over from this answer.
      this.#low = low;
      this.#high = high;
      this.samples = 1;
      return;
    }
    this.#low = Math.max(this.#low, low);
    this.#high = Math.min(this.#high, high);
    this.samples++;
  }

  get offsetMs(): number {
    return this.samples === 0 ? 0 : (this.#low + this.#high) / 2;
  }

  /** 0 while the answers are consistent with equal clocks, else the middle of the interval. */
  get correctionMs(): number {
    return this.samples === 0 || (this.#low <= 0 && this.#high >= 0) ? 0 : this.offsetMs;
  }

  get uncertaintyMs(): number {
    return this.samples === 0 ? Number.POSITIVE_INFINITY : (this.#high - this.#low) / 2;
  }
}

/** Event-loop delay: a 10 ms timer, and how late each tick fires; the last 60 s kept (a ring). */
export class LoopDelay {
  readonly #at = new Float64Array(6_000);
  readonly #delay = new Float64Array(6_000);
  #next = 0;
  #count = 0;
  #expected = 0;
  #timer: NodeJS.Timeout | null = null;

  start(): void {
    this.#expected = performance.now() + 10;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#push(Date.now(), Math.max(0, now - this.#expected));
      this.#expected = now + 10;
    }, 10);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #push(at: number, delay: number): void {
    this.#at[this.#next] = at;
    this.#delay[this.#next] = delay;
    this.#next = (this.#next + 1) % this.#at.length;
    this.#count = Math.min(this.#count + 1, this.#at.length);
  }

  /** p50 / p99 / max over the last `windowMs`, counting a delay still in progress. */
  stats(windowMs: number): { p50: number; p99: number; max: number; samples: number } {
    const since = Date.now() - windowMs;
    const values: number[] = [];
    for (let i = 0; i < this.#count; i++) if ((this.#at[i] ?? 0) >= since) values.push(this.#delay[i] ?? 0);
    if (this.#timer) values.push(Math.max(0, performance.now() - this.#expected));
    values.sort((a, b) => a - b);
    const pick = (q: number) =>
      values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))] ?? 0;
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      p50: round(pick(0.5)),
      p99: round(pick(0.99)),
      max: round(values.at(-1) ?? 0),
      samples: values.length,
    };
  }
}

/** Main-thread event-loop utilisation, sampled every second (the last 60 kept). */
export class Utilization {
  readonly #samples: Array<{ at: number; elu: ReturnType<typeof performance.eventLoopUtilization> }> = [];
  #timer: NodeJS.Timeout | null = null;

  start(): void {
    const take = () => {
      this.#samples.push({ at: Date.now(), elu: performance.eventLoopUtilization() });
      if (this.#samples.length > 60) this.#samples.shift();
    };
    take();
    this.#timer = setInterval(take, 1_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Share of the last `windowMs` (or since start) the main thread spent running JavaScript, 0..1. */
  last(windowMs: number): number {
    const since = Date.now() - windowMs;
    const first = this.#samples.find((s) => s.at >= since) ?? this.#samples[0];
    if (!first) return 0;
    return Math.round(performance.eventLoopUtilization(first.elu).utilization * 1000) / 1000;
  }
}
