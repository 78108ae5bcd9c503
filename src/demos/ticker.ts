import { setTimeout as sleep } from 'node:timers/promises';
import type { Measurements } from '../measure/measurements.js';

export const TICKER_MAX_SECONDS = 60;

interface RunningTicker {
  userName: string;
  endsAt: number;
  stop: AbortController;
}

/** One ticker per channel; all stop when the bot stops. */
const tickers = new Map<string, RunningTicker>();

export function stopAllTickers(): void {
  for (const ticker of tickers.values()) ticker.stop.abort();
  tickers.clear();
}

/** What one state of the ticker message shows. */
export type TickerFrame =
  | {
      type: 'tick';
      tick: number;
      total: number;
      at: number;
      /** Since the previous frame: about 1000 ms, unless the loop was blocked. */
      gapMs: number;
      /** The worst loop delay since the previous frame. */
      maxDelayMs: number;
    }
  | { type: 'stopped'; total: number; ticks: number; skipped: number };

/** Who runs the ticker in this channel, if one runs. */
export function runningTicker(channelId: string): { userName: string; endsInMs: number } | null {
  const t = tickers.get(channelId);
  return t ? { userName: t.userName, endsInMs: Math.max(0, t.endsAt - Date.now()) } : null;
}

/**
 * A message that changes about once a second. The caller sends each frame and awaits it before
 * asking for the next, so it never floods Discord (and @discordjs/rest waits out any 429). During
 * someone's /block no frame is due, and the next one shows the gap. Stopping the iteration (a
 * refused edit) ends the ticker.
 */
export function runTicker(
  measure: Measurements,
  channelId: string,
  userName: string,
  seconds: number,
): AsyncGenerator<TickerFrame> {
  // Taken now, not when the first frame is asked for: a second /ticker in this channel is refused at once.
  const stop = new AbortController();
  tickers.set(channelId, { userName, endsAt: Date.now() + seconds * 1000, stop });
  return tick(measure, channelId, seconds, stop.signal);
}

async function* tick(
  measure: Measurements,
  channelId: string,
  seconds: number,
  signal: AbortSignal,
): AsyncGenerator<TickerFrame> {
  const frame = (tick: number, gapMs: number, since: number): TickerFrame => ({
    type: 'tick',
    tick,
    total: seconds,
    at: Date.now(),
    gapMs,
    maxDelayMs: measure.recorder.stats(since, Date.now()).max,
  });
  try {
    let lastAt = Date.now();
    yield frame(0, 0, lastAt);
    const startedAt = Date.now();
    let ticks = 0;
    let skipped = 0;
    for (let tick = 1; tick <= seconds; tick++) {
      // Aim at whole seconds after the start (no drift). Seconds missed while the loop was
      // blocked are skipped, not sent in a burst: the gap itself is the lesson.
      const dueTick = Math.max(tick, Math.floor((Date.now() - startedAt) / 1000) + 1);
      skipped += dueTick - tick;
      tick = dueTick;
      if (tick > seconds) break;
      const wait = startedAt + tick * 1000 - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal });
      const now = Date.now();
      yield frame(tick, now - lastAt, lastAt);
      lastAt = now;
      ticks += 1;
    }
    yield { type: 'stopped', total: seconds, ticks, skipped };
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    tickers.delete(channelId);
  }
}
