import { appendFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Who holds the main thread: LoopLab's MainThreadLedger holders and the doctor's owners both fit. */
export interface Holder {
  /** What runs, e.g. "/block 2000 (cpu)" or "/crunch". */
  label: string;
  user: string;
}

/** Sightings are kept this long (the 15-minute token lifetime and a minute), and at most 1 000. */
const SIGHTINGS_KEEP_MS = 16 * 60_000;
const MAX_SIGHTINGS = 1_000;

/** Shared memory layout (BigInt64 slots). */
export const Slot = { Heartbeat: 0, HolderSince: 1, StallSeenAt: 2, StallSeq: 3, LabelLength: 4 } as const;
export const LABEL_BYTES = 512;
const SLOTS = 5;
/** What the main thread posts to make the watchdog thread fail on purpose (tests). */
export const TEST_CRASH = { type: 'looplab:watchdog-test-crash' } as const;
export type TestCrash = typeof TEST_CRASH & { how: 'throw' | 'exit' };

/**
 * Where the watchdog's own troubles are told (its thread died, it was restarted). Structural, so a
 * pino logger fits and the watchdog needs no logger of the bot's.
 */
export interface WatchdogLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface WatchdogOptions {
  /** A stall is reported once the main thread has been silent this long. */
  thresholdMs?: number;
  /** How often the main thread beats (default 100 ms: well inside the 250 ms threshold, 10 wake-ups a second). */
  beatMs?: number;
  /** File to append log lines to (tests); default: standard output (fd 1), written by the watchdog thread itself. */
  logFile?: string | null;
  format?: 'json' | 'pretty';
  /** The bot's LOG_LEVEL: stall warnings print at warn and below, recoveries at info and below. */
  level?: string;
  /**
   * Told when the watchdog thread dies and when it is back. Default: lines in the thread's own
   * format, to `logFile` or standard output.
   */
  logger?: WatchdogLogger;
  /** Wait before restarting a dead watchdog thread; doubles with each restart in the last minute (≤ 30 s). Default 1000. */
  restartDelayMs?: number;
  /** Restarts allowed in any minute; past that, the next one waits for the minute to end. Default 5. */
  maxRestartsPerMinute?: number;
}

const MINUTE_MS = 60_000;
const MAX_RESTART_DELAY_MS = 30_000;
const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 100,
};

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
  readonly #sightings: StallSighting[] = [];
  readonly #logger: WatchdogLogger;
  #lastSeq = 0n;
  /** The watchdog thread, booting or running. */
  #worker: Worker | null = null;
  #ready = false;
  #timer: NodeJS.Timeout | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  /** stop() was called: a thread that exits now is not a death. */
  #stopping = true;
  /** When each restart of the last minute happened. */
  #recentRestarts: number[] = [];
  #restarts = 0;
  /** Bumped by stop(): a thread from before it that exits late is not a death either. */
  #generation = 0;

  constructor(private readonly options: WatchdogOptions = {}) {
    this.#logger = options.logger ?? lineLogger(options);
  }

  /** Starts the watchdog thread; rejects if it cannot start. A thread that dies later is restarted. */
  async start(): Promise<void> {
    if (!this.#stopping) return;
    this.#stopping = false;
    this.beat();
    this.#timer = setInterval(() => this.beat(), this.options.beatMs ?? 100);
    this.#timer.unref();
    try {
      await this.#spawn(true);
    } catch (err) {
      this.#stopping = true;
      clearInterval(this.#timer);
      this.#timer = null;
      throw err;
    }
  }

  /** How many times the watchdog thread was restarted since this Watchdog was made. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The running watchdog thread's threadId (null while none is running: stopped, or restarting). */
  get threadId(): number | null {
    return this.#ready && this.#worker ? this.#worker.threadId : null;
  }

  /**
   * Tests only: makes the running watchdog thread die as if by accident (`terminate`, an uncaught
   * exception `throw`, or `exit`), and resolves once it is gone. It is restarted like any death.
   */
  async killThreadForTest(how: 'terminate' | 'throw' | 'exit' = 'terminate'): Promise<void> {
    const worker = this.#worker;
    if (!worker || !this.#ready) throw new Error('the watchdog thread is not running');
    const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (how === 'terminate') void worker.terminate();
    else worker.postMessage({ ...TEST_CRASH, how } satisfies TestCrash);
    await gone;
  }

  /** Starts a watchdog thread; resolves when it is ready. `initial`: start() reports a failure to boot. */
  #spawn(initial: boolean): Promise<void> {
    const worker = new Worker(fileURLToPath(new URL('./watchdog-thread.js', import.meta.url)), {
      workerData: {
        shared: this.#shared,
        thresholdMs: this.options.thresholdMs ?? 250,
        logFile: this.options.logFile ?? null,
        format: this.options.format ?? 'json',
        level: this.options.level ?? 'info',
      },
    });
    worker.unref();
    this.#worker = worker;
    this.#ready = false;
    const generation = this.#generation;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let failure: Error | undefined;
      worker.once('message', () => {
        ready = true;
        if (this.#worker === worker) this.#ready = true;
        resolve();
      });
      worker.on('error', (err) => {
        failure = err;
      });
      worker.once('exit', (code) => {
        if (this.#worker === worker) {
          this.#worker = null;
          this.#ready = false;
        }
        if (!ready)
          reject(failure ?? new Error(`the watchdog thread exited (code ${code}) before it was ready`));
        if (this.#stopping || generation !== this.#generation || (initial && !ready)) return;
        this.#died(code, failure, ready);
      });
    });
  }

  /** A watchdog thread died on its own: say so, and restart it after a backoff. */
  #died(exitCode: number, err: Error | undefined, wasRunning: boolean): void {
    const now = Date.now();
    this.#recentRestarts = this.#recentRestarts.filter((at) => now - at < MINUTE_MS);
    const recent = this.#recentRestarts.length;
    const max = this.options.maxRestartsPerMinute ?? 5;
    let delay = Math.min((this.options.restartDelayMs ?? 1_000) * 2 ** recent, MAX_RESTART_DELAY_MS);
    if (recent >= max) delay = Math.max(delay, this.#recentRestarts[0]! + MINUTE_MS - now);
    const what = err ? `crashed (${err.message})` : `exited (code ${exitCode})`;
    const when = wasRunning ? '' : ' while starting';
    this.#log(
      'error',
      {
        exitCode,
        ...(err ? { err } : {}),
        restartInMs: delay,
        restartsLastMinute: recent,
      },
      `watchdog thread ${what}${when}: main-thread stalls go unseen until it restarts in ${delay} ms`,
    );
    this.#restartTimer = setTimeout(() => this.#restart(), delay);
    this.#restartTimer.unref();
  }

  /** A logger that throws must not turn the watchdog's own bookkeeping into an uncaught exception. */
  #log(level: 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
    try {
      this.#logger[level](fields, msg);
    } catch {
      // nothing better to do
    }
  }

  #restart(): void {
    this.#restartTimer = null;
    if (this.#stopping) return;
    this.#recentRestarts.push(Date.now());
    this.#restarts++;
    let booting: Promise<void>;
    try {
      booting = this.#spawn(false);
    } catch (err) {
      // It could not even be created (e.g. its module cannot be found): a death like any other.
      this.#died(-1, err instanceof Error ? err : new Error(String(err)), false);
      return;
    }
    booting.then(
      () => {
        this.#log(
          'warn',
          { threadId: this.threadId, restarts: this.#restarts },
          `watchdog thread restarted (restart ${this.#restarts})`,
        );
      },
      // It died while starting: its exit handler has already logged it and scheduled the next try.
      () => {},
    );
  }

  /** Tells the watchdog the main thread is alive, and collects stalls it saw meanwhile. */
  beat(): void {
    Atomics.store(this.#slots, Slot.Heartbeat, BigInt(Date.now()));
    const seq = Atomics.load(this.#slots, Slot.StallSeq);
    if (seq !== this.#lastSeq) {
      this.#lastSeq = seq;
      const seenAt = Number(Atomics.load(this.#slots, Slot.StallSeenAt));
      this.#sightings.push({ seenAt });
      const horizon = Date.now() - SIGHTINGS_KEEP_MS;
      while (this.#sightings.length > MAX_SIGHTINGS || (this.#sightings[0]?.seenAt ?? horizon) < horizon)
        this.#sightings.shift();
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
    return this.#sightings.filter((s) => s.seenAt >= start && s.seenAt <= end);
  }

  /** Stops the watchdog thread (and any pending restart); a thread stopped so is not restarted. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#generation++;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = false;
    await worker?.terminate();
  }
}

/**
 * The default {@link WatchdogLogger}: one line per event in the watchdog thread's own format
 * (pino-compatible JSON or pretty), to `logFile` or standard output, filtered by `level`.
 */
function lineLogger(options: WatchdogOptions): WatchdogLogger {
  const threshold = LEVELS[options.level ?? 'info'] ?? 30;
  const write = (level: 'warn' | 'error', fields: Record<string, unknown>, msg: string): void => {
    if ((LEVELS[level] ?? 0) < threshold) return;
    const time = Date.now();
    const { err, ...rest } = fields;
    const errFields =
      err instanceof Error ? { err: { type: err.name, message: err.message, stack: err.stack } } : {};
    const line =
      options.format === 'pretty'
        ? `[${new Date(time).toISOString().slice(11, 23)}] ${level.toUpperCase()} (watchdog): ${msg}\n`
        : `${JSON.stringify({ level: LEVELS[level], time, name: 'looplab-watchdog', msg, ...rest, ...errFields })}\n`;
    try {
      if (options.logFile) appendFileSync(options.logFile, line);
      else writeSync(1, line);
    } catch {
      // Nowhere left to say it: never let the watchdog's own logging take the bot down.
    }
  };
  return {
    warn: (fields, msg) => write('warn', fields, msg),
    error: (fields, msg) => write('error', fields, msg),
  };
}
