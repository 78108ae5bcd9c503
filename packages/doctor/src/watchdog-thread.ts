/**
 * The watchdog's own thread. It keeps running while the main thread is blocked, so it can say so
 * *during* the stall. It writes its log lines itself, straight to the file descriptor: a worker's
 * process.stdout is relayed through the main thread, which is exactly the thread that is stuck.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { LABEL_BYTES, Slot, TEST_CRASH, type TestCrash } from './watchdog.js';

const { shared, thresholdMs, logFile, format, level } = workerData as {
  shared: SharedArrayBuffer;
  thresholdMs: number;
  logFile: string | null;
  format: 'json' | 'pretty';
  level: string;
};
const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 100,
};
const threshold = LEVELS[level] ?? 30;
const slots = new BigInt64Array(shared, 0, 5);
const label = new Uint8Array(shared, 5 * 8, LABEL_BYTES);
const decoder = new TextDecoder();
const fd = logFile ? openSync(logFile, 'a') : 1;
const REPEAT_MS = 1_000;

function holderText(): string {
  const length = Number(Atomics.load(slots, Slot.LabelLength));
  return length > 0 ? decoder.decode(label.slice(0, length)) : '';
}

function log(level: 'warn' | 'info', msg: string, fields: Record<string, unknown>): void {
  if ((LEVELS[level] ?? 30) < threshold) return;
  const time = Date.now();
  const line =
    format === 'pretty'
      ? `[${new Date(time).toISOString().slice(11, 23)}] ${level.toUpperCase()} (watchdog): ${msg}\n`
      : `${JSON.stringify({ level: level === 'warn' ? 40 : 30, time, name: 'looplab-watchdog', threadId, msg, ...fields })}\n`;
  writeSync(fd, line);
}

let stalledSince: number | null = null;
let lastReport = 0;

function poll(): void {
  const now = Date.now();
  const lastBeat = Number(Atomics.load(slots, Slot.Heartbeat));
  const silent = now - lastBeat;
  if (silent >= thresholdMs) {
    const holder = holderText();
    const what = holder ? ` (${holder})` : '';
    if (stalledSince === null) {
      stalledSince = lastBeat;
      lastReport = now;
      Atomics.store(slots, Slot.StallSeenAt, BigInt(now));
      Atomics.add(slots, Slot.StallSeq, 1n);
      log('warn', `main thread stalled for ${silent} ms${what}`, { stalledMs: silent, holder, stalledSince });
    } else if (now - lastReport >= REPEAT_MS) {
      lastReport = now;
      log('warn', `main thread still stalled: ${silent} ms${what}`, {
        stalledMs: silent,
        holder,
        stalledSince,
      });
    }
  } else if (stalledSince !== null) {
    log('info', `main thread free again after ${lastBeat - stalledSince} ms`, {
      stalledMs: lastBeat - stalledSince,
    });
    stalledSince = null;
  }
}

// Every 50 ms: a stall past the threshold is seen within 50 ms of it (20 wake-ups a second while idle).
const timer = setInterval(poll, 50);
parentPort?.on('close', () => {
  clearInterval(timer);
  if (logFile) closeSync(fd);
});
// Watchdog.killThreadForTest(): die the way a real fault would, so the main thread's restart is tested.
parentPort?.on('message', (message: Partial<TestCrash> | null) => {
  if (message?.type !== TEST_CRASH.type) return;
  if (message.how === 'exit') process.exit(9);
  throw new Error('deliberate watchdog thread crash (test)');
});
parentPort?.postMessage('ready');
