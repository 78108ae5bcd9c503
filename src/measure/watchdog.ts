import type { Worker } from 'node:worker_threads';
import { TimeWindow } from '../lib/bounded.js';
import { startWorker } from '../lib/worker-file.js';
import { historyBounds } from './history.js';
import type { Holder } from './main-thread.js';

/** Shared memory layout (BigInt64 slots). */
export const Slot = { Heartbeat: 0, HolderSince: 1, StallSeenAt: 2, StallSeq: 3, LabelLength: 4 } as const;
export const LABEL_BYTES = 512;
const SLOTS = 5;

export interface WatchdogOptions {
  /** A stall is reported once the main thread has been silent this long. */
  thresholdMs?: number;
  /** How often the main thread beats. */
  beatMs?: number;
  /** File to append log lines to (tests); default: standard output (fd 1), written by the watchdog thread itself. */
  logFile?: string | null;
  format?: 'json' | 'pretty';
  /** The bot's LOG_LEVEL: stall warnings print at warn and below, recoveries at info and below. */
  level?: string;
}

export interface StallSighting {
  /** When the watchdog thread first noticed the stall (ms since the Unix epoch). */
  seenAt: number;
}

/**
 * A watchdog on another thread that the main thread heartbeats through shared memory. While the
 * main thread is stuck, the watchdog — which keeps running — logs "main thread stalled for N ms
 * (running /block 3000 by alice)" *during* the stall. That another thread keeps running while the
 * loop is blocked is the lesson.
 */
export class Watchdog {
  readonly #shared = new SharedArrayBuffer(SLOTS * 8 + LABEL_BYTES);
  readonly #slots = new BigInt64Array(this.#shared, 0, SLOTS);
  readonly #label = new Uint8Array(this.#shared, SLOTS * 8, LABEL_BYTES);
  readonly #encoder = new TextEncoder();
  readonly #sightings = new TimeWindow<StallSighting>(historyBounds({ maxEntries: 1_000 }));
  #lastSeq = 0n;
  #worker: Worker | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: WatchdogOptions = {}) {}

  async start(): Promise<void> {
    this.beat();
    const worker = startWorker(import.meta.url, 'watchdog-thread', {
      workerData: {
        shared: this.#shared,
        thresholdMs: this.options.thresholdMs ?? 250,
        logFile: this.options.logFile ?? null,
        format: this.options.format ?? 'json',
        level: this.options.level ?? 'info',
      },
    });
    worker.unref();
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    this.#worker = worker;
    this.#timer = setInterval(() => this.beat(), this.options.beatMs ?? 50);
    this.#timer.unref();
  }

  /** Tells the watchdog the main thread is alive, and collects stalls it saw meanwhile. */
  beat(): void {
    Atomics.store(this.#slots, Slot.Heartbeat, BigInt(Date.now()));
    const seq = Atomics.load(this.#slots, Slot.StallSeq);
    if (seq !== this.#lastSeq) {
      this.#lastSeq = seq;
      const seenAt = Number(Atomics.load(this.#slots, Slot.StallSeenAt));
      this.#sightings.push(seenAt, { seenAt });
    }
  }

  /** Who holds the main thread now (written before synchronous work starts). */
  setHolder(holder: Holder | null, since: number): void {
    const text = holder ? `running ${holder.label} by ${holder.user}` : '';
    const bytes = this.#encoder.encode(text).subarray(0, LABEL_BYTES);
    this.#label.set(bytes);
    Atomics.store(this.#slots, Slot.LabelLength, BigInt(bytes.length));
    Atomics.store(this.#slots, Slot.HolderSince, BigInt(holder ? since : 0));
    // A hold starts right after a beat may be due: beat now so the stall is measured from here.
    this.beat();
  }

  /** Stalls the watchdog reported whose first sighting falls in [start, end]. */
  sightings(start: number, end: number): StallSighting[] {
    this.beat();
    return this.#sightings.between(start, end);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#worker?.terminate();
    this.#worker = null;
  }
}
