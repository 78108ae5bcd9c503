import type { TickerFrame } from '../demos/ticker.js';
import { ms } from '../lib/format.js';

/** A gap this long between two ticks means the loop was blocked meanwhile. */
const FROZEN_GAP_MS = 1_500;

/** The ticker message for one frame. */
export function tickerLine(frame: TickerFrame): string {
  if (frame.type === 'stopped') {
    const missed =
      frame.skipped > 0
        ? `, ${frame.skipped} second${frame.skipped === 1 ? '' : 's'} skipped while the event loop was blocked`
        : ', none missed';
    return `⏹️ Ticker stopped after ${frame.total} s: ${frame.ticks} updates${missed}. → \`/explain topic:event-loop\``;
  }
  const time = new Date(frame.at).toISOString().slice(11, 19);
  const frozen =
    frame.gapMs > FROZEN_GAP_MS
      ? `\n⚠️ **${(frame.gapMs / 1000).toFixed(1)} s since the last tick**: the event loop was blocked, so this message froze and then jumped.`
      : '';
  return `⏱️ **${time}** UTC · tick ${frame.tick}/${frame.total} · loop delay since the last tick: max ${ms(frame.maxDelayMs)}${frozen}`;
}

export function tickerBusyLine(userName: string, endsInMs: number): string {
  return `A ticker is already running here (started by ${userName}); it ends in ${Math.ceil(endsInMs / 1000)} s.`;
}
