import { TimeWindow } from '../lib/bounded.js';
import { ClockOffsetEstimator } from './clock-offset.js';
import { historyBounds } from './history.js';
import { LoopDelayRecorder } from './loop-delay.js';
import { MainThreadLedger } from './main-thread.js';
import { type RateLimitHit, RestObserver } from './rest-observer.js';
import { UtilizationRecorder } from './utilization.js';
import { Watchdog, type WatchdogOptions } from './watchdog.js';

export interface MeasurementOptions {
  watchdog?: WatchdogOptions;
  /** Told about every rate limit the REST observer sees (to log it). */
  onRateLimit?: (hit: RateLimitHit) => void;
}

/** A first response Discord accepted. */
export interface AckRecord {
  at: number;
  interactionId: string;
}

/**
 * Everything LoopLab measures about its own process, in one place: the loop-delay recorder, the
 * main-thread ledger (who held it), utilisation, the clock offset to Discord, the REST observer,
 * the stall watchdog and the accepted first responses. It knows nothing of discord.js or of
 * LoopLab's router: a bot feeds it (`recordAck`, the REST observer's `wrap`) and reads snapshots.
 */
export class Measurements {
  readonly recorder = new LoopDelayRecorder();
  readonly utilization = new UtilizationRecorder();
  readonly ledger = new MainThreadLedger();
  readonly clock = new ClockOffsetEstimator();
  readonly rest: RestObserver;
  readonly watchdog: Watchdog;
  readonly #acks = new TimeWindow<AckRecord>(historyBounds({ maxEntries: 10_000 }));

  constructor(options: MeasurementOptions = {}) {
    this.rest = new RestObserver(this.clock, options.onRateLimit);
    this.watchdog = new Watchdog(options.watchdog);
    this.ledger.onChange = (holder, since) => {
      // An interaction takes the main thread: the loop-delay recorder samples at full resolution.
      if (holder) this.recorder.wake();
      this.watchdog.setHolder(holder, since);
    };
  }

  async start(): Promise<void> {
    this.recorder.start();
    this.utilization.start();
    await this.watchdog.start();
  }

  async stop(): Promise<void> {
    this.recorder.stop();
    this.utilization.stop();
    await this.watchdog.stop();
  }

  /** Notes that Discord accepted `interactionId`'s first response at `at`. */
  recordAck(interactionId: string, at: number): void {
    this.#acks.push(at, { at, interactionId });
  }

  /** First responses accepted in [start, end], other than `exceptId`'s. */
  acksBetween(start: number, end: number, exceptId?: string): AckRecord[] {
    return this.#acks.between(start, end).filter((a) => a.interactionId !== exceptId);
  }

  /** How many entries each history holds now (all bounded; for tests and /metrics). */
  sizes(): Record<string, number> {
    return {
      loopDelay: this.recorder.size,
      utilization: this.utilization.size,
      ledger: this.ledger.size,
      acks: this.#acks.size,
    };
  }
}
