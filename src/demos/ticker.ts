import { setTimeout as sleep } from 'node:timers/promises';
import type { BotContext } from '../bot/context.js';
import { ms } from '../report/format.js';
import type { CommandRun } from '../router/run.js';

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

function tickLine(ctx: BotContext, tick: number, total: number, gapMs: number, lastAt: number): string {
  const now = Date.now();
  const time = new Date(now).toISOString().slice(11, 19);
  const maxSince = ctx.recorder.stats(lastAt, now).max;
  const frozen =
    gapMs > 1_500
      ? `\n⚠️ **${(gapMs / 1000).toFixed(1)} s since the last tick**: the event loop was blocked, so this message froze and then jumped.`
      : '';
  return `⏱️ **${time}** UTC · tick ${tick}/${total} · loop delay since the last tick: max ${ms(maxSince)}${frozen}`;
}

/**
 * Posts a message that edits itself about once a second. Each edit is awaited before the next is
 * scheduled, so it never floods Discord (and @discordjs/rest waits out any 429). During someone's
 * /block the edits stop, and the next one shows the gap.
 */
export async function runTicker(run: CommandRun, seconds: number): Promise<void> {
  const channelId = run.interaction.channelId ?? 'dm';
  const existing = tickers.get(channelId);
  if (existing) {
    await run.respond.reply({
      content: `A ticker is already running here (started by ${existing.userName}); it ends in ${Math.ceil((existing.endsAt - Date.now()) / 1000)} s.`,
      flags: 64,
    });
    return;
  }
  const stop = new AbortController();
  const ticker: RunningTicker = {
    userName: run.interaction.user.username,
    endsAt: Date.now() + seconds * 1000,
    stop,
  };
  tickers.set(channelId, ticker);
  try {
    let lastAt = Date.now();
    if (!(await run.respond.reply({ content: tickLine(run.ctx, 0, seconds, 0, lastAt) }))) return;
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
      const due = startedAt + tick * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: stop.signal });
      if (stop.signal.aborted) break;
      const now = Date.now();
      const gap = now - lastAt;
      if (!(await run.respond.edit({ content: tickLine(run.ctx, tick, seconds, gap, lastAt) }))) return;
      lastAt = now;
      ticks += 1;
    }
    await run.respond.edit({
      content: `⏹️ Ticker stopped after ${seconds} s: ${ticks} updates${
        skipped > 0
          ? `, ${skipped} second${skipped === 1 ? '' : 's'} skipped while the event loop was blocked`
          : ', none missed'
      }. → \`/explain topic:event-loop\``,
    });
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    tickers.delete(channelId);
  }
}
