import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Watchdog, type WatchdogLogger, type WatchdogOptions } from '../src/measure/watchdog.js';

const dir = mkdtempSync(join(tmpdir(), 'looplab-watchdog-test-'));
let files = 0;

interface Entry {
  level: 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

interface LogLine {
  level: number;
  time: number;
  msg: string;
  threadId?: number;
  [field: string]: unknown;
}

function recorder(): WatchdogLogger & { entries: Entry[] } {
  const entries: Entry[] = [];
  return {
    entries,
    warn: (fields, msg) => entries.push({ level: 'warn', fields, msg }),
    error: (fields, msg) => entries.push({ level: 'error', fields, msg }),
  };
}

function readLines(file: string): LogLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
}

/** Keeps the main thread busy for `ms`: no timer, no beat, no message can run meanwhile. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

async function until<T>(
  check: () => T | null | false | undefined,
  timeoutMs = 5_000,
  what = 'it',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== null && value !== false && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const started: Watchdog[] = [];
async function startWatchdog(
  options: WatchdogOptions = {},
): Promise<{ watchdog: Watchdog; logFile: string }> {
  const logFile = join(dir, `watchdog-${++files}.log`);
  const watchdog = new Watchdog({ logFile, ...options });
  started.push(watchdog);
  await watchdog.start();
  return { watchdog, logFile };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.stop()));
});

/** Blocks the main thread 400 ms and returns the sightings and the stall lines written meanwhile. */
async function stallOnce(watchdog: Watchdog, logFile: string) {
  const start = Date.now();
  blockFor(400);
  const end = Date.now();
  const sightings = watchdog.sightings(start, end);
  // The "stalled" line was written during the block, by the watchdog thread itself.
  const lines = readLines(logFile).filter(
    (l) => l.time >= start && l.time <= end && /^main thread stalled for \d+ ms/.test(l.msg),
  );
  return { start, end, sightings, lines };
}

describe('watchdog', () => {
  it('sees a 400 ms stall of the main thread while it lasts', async () => {
    const { watchdog, logFile } = await startWatchdog();
    const threadId = watchdog.threadId;
    expect(threadId).toBeGreaterThan(0);
    const { start, end, sightings, lines } = await stallOnce(watchdog, logFile);
    expect(sightings).toHaveLength(1);
    // Seen once the thread was silent 250 ms since its last beat, which came up to 100 ms (one beat) before the stall.
    expect(sightings[0]!.seenAt).toBeGreaterThanOrEqual(start + 250 - 100);
    expect(sightings[0]!.seenAt).toBeLessThan(end);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.threadId).toBe(threadId);
  });

  it('a killed watchdog thread is logged, restarted after 1 s, and sees the next stall', async () => {
    const logger = recorder();
    const { watchdog, logFile } = await startWatchdog({ logger });
    const first = watchdog.threadId!;
    const killedAt = performance.now();
    await watchdog.killThreadForTest();
    expect(watchdog.threadId).toBeNull();

    const death = await until(() => logger.entries.find((e) => e.level === 'error'), 2_000, 'the death');
    expect(death.msg).toBe(
      'watchdog thread exited (code 1): main-thread stalls go unseen until it restarts in 1000 ms',
    );
    expect(death.fields).toMatchObject({ exitCode: 1, restartInMs: 1_000, restartsLastMinute: 0 });

    const second = await until(() => watchdog.threadId, 5_000, 'the restart');
    expect(performance.now() - killedAt).toBeGreaterThanOrEqual(990);
    expect(second).not.toBe(first);
    expect(watchdog.restarts).toBe(1);
    const back = await until(() => logger.entries.find((e) => e.level === 'warn'), 2_000, 'the restart line');
    expect(back.msg).toBe('watchdog thread restarted (restart 1)');
    expect(back.fields).toMatchObject({ threadId: second, restarts: 1 });

    const { sightings, lines } = await stallOnce(watchdog, logFile);
    expect(sightings).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.threadId).toBe(second); // written by the new thread
    expect(logger.entries).toHaveLength(2);
  });

  it('a watchdog thread that throws or exits is restarted too, with a doubling backoff', async () => {
    const logger = recorder();
    const { watchdog, logFile } = await startWatchdog({ logger, restartDelayMs: 100 });

    await watchdog.killThreadForTest('throw');
    await until(() => watchdog.restarts === 1 && watchdog.threadId, 3_000, 'restart 1');
    await watchdog.killThreadForTest('exit');
    await until(() => watchdog.restarts === 2 && watchdog.threadId, 3_000, 'restart 2');

    const deaths = logger.entries.filter((e) => e.level === 'error');
    expect(deaths.map((e) => e.msg)).toEqual([
      'watchdog thread crashed (deliberate watchdog thread crash (test)): main-thread stalls go unseen until it restarts in 100 ms',
      'watchdog thread exited (code 9): main-thread stalls go unseen until it restarts in 200 ms',
    ]);
    expect(deaths[0]!.fields.err).toBeInstanceOf(Error);
    expect(deaths[1]!.fields.exitCode).toBe(9);

    const { sightings, lines } = await stallOnce(watchdog, logFile);
    expect(sightings).toHaveLength(1);
    expect(lines.map((l) => l.threadId)).toEqual([watchdog.threadId]);
  });

  it('caps restarts per minute, so a crash loop does not spin', async () => {
    const logger = recorder();
    const { watchdog } = await startWatchdog({ logger, restartDelayMs: 50, maxRestartsPerMinute: 2 });
    await watchdog.killThreadForTest();
    await until(() => watchdog.restarts === 1 && watchdog.threadId, 3_000, 'restart 1');
    await watchdog.killThreadForTest();
    await until(() => watchdog.restarts === 2 && watchdog.threadId, 3_000, 'restart 2');
    await watchdog.killThreadForTest();
    const third = await until(
      () => logger.entries.filter((e) => e.level === 'error')[2],
      2_000,
      'the third death',
    );
    // Two restarts in the last minute: the next waits until the first of them is a minute old.
    expect(third.fields.restartsLastMinute).toBe(2);
    expect(third.fields.restartInMs).toBeGreaterThan(55_000);
    expect(third.fields.restartInMs).toBeLessThanOrEqual(60_000);
    await sleep(400);
    expect(watchdog.restarts).toBe(2);
    expect(watchdog.threadId).toBeNull();
    // stop() cancels the pending restart.
    await watchdog.stop();
    expect(watchdog.restarts).toBe(2);
  });

  it('stop() is not a death: nothing is logged and nothing restarts', async () => {
    const logger = recorder();
    const { watchdog } = await startWatchdog({ logger, restartDelayMs: 50 });
    expect(watchdog.threadId).toBeGreaterThan(0);
    await watchdog.stop();
    await sleep(300);
    expect(logger.entries).toEqual([]);
    expect(watchdog.restarts).toBe(0);
    expect(watchdog.threadId).toBeNull();
    // And it can start again.
    await watchdog.start();
    expect(watchdog.threadId).toBeGreaterThan(0);
  });

  it('without a logger, the death and the restart are lines in the watchdog log', async () => {
    const { watchdog, logFile } = await startWatchdog({ restartDelayMs: 50 });
    await watchdog.killThreadForTest('exit');
    await until(() => watchdog.threadId, 3_000, 'the restart');
    const lines = await until(() => {
      const all = readLines(logFile);
      return all.some((l) => l.msg.startsWith('watchdog thread restarted')) ? all : null;
    });
    const death = lines.find((l) => l.msg.startsWith('watchdog thread exited (code 9)'));
    expect(death).toMatchObject({ level: 50, name: 'looplab-watchdog', exitCode: 9, restartInMs: 50 });
    expect(lines.find((l) => l.msg === 'watchdog thread restarted (restart 1)')).toMatchObject({
      level: 40,
      threadId: watchdog.threadId,
    });
  });
});
