import type { Bounds } from './bounded.js';
import { INTERACTION_TOKEN_LIFETIME_MS } from './limits.js';

/**
 * How far back every measurement history reaches: a report can be written up to 15 minutes after
 * its interaction was created (the token's lifetime), and must still find that interaction's loop
 * delay, ledger spans, utilisation and REST timings. One minute of margin; one horizon for all, so
 * the windows agree.
 */
export const HISTORY_MS = INTERACTION_TOKEN_LIFETIME_MS + 60_000;

/** Bounds for a history of `HISTORY_MS` that gets an entry about every `everyMs` (at most `maxEntries` for event-driven ones). */
export function historyBounds(opts: { everyMs: number } | { maxEntries: number }): Bounds {
  const maxEntries = 'everyMs' in opts ? Math.ceil(((HISTORY_MS / opts.everyMs) * 11) / 10) : opts.maxEntries;
  return { keepMs: HISTORY_MS, maxEntries };
}
