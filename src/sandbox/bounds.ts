/**
 * How long and how many of each thing the sandbox remembers. A classroom sandbox runs for hours and
 * a script can flood it, so every history and store is bounded by age *and* by count, with the one
 * helper (src/lib/bounded.ts).
 *
 * Ages are judged on this machine's clock, never on the sandbox's ("Discord's"): a lesson that jumps
 * the sandbox clock 15 minutes ahead must meet an expired token (50027), not a forgotten one (10015),
 * and a clock set back must not keep anything longer than it would be kept otherwise.
 */
import { INTERACTION_TOKEN_LIFETIME_MS } from '../discord/facts.js';
import { type Bounds, TimeWindow } from '../lib/bounded.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** This machine's time, read at each call (so a test's fake timers reach every store). */
export const realNow = (): number => Date.now();

/**
 * Interactions: a token works on webhook routes for 15 minutes; 5 more so a bot that edits late
 * still meets Discord's 401 50027 rather than 10015. 5 000 at most: a class of 30 sending a
 * command every 10 s for those 20 minutes makes 3 600.
 */
export const INTERACTION_BOUNDS: Bounds = {
  keepMs: INTERACTION_TOKEN_LIFETIME_MS + 5 * MINUTE_MS,
  maxEntries: 5_000,
};

/** What one interaction was refused: a bot retrying a dead token must not grow its record forever. */
export const REFUSAL_BOUNDS: Bounds = { keepMs: INTERACTION_BOUNDS.keepMs, maxEntries: 50 };

/** Follow-ups one interaction posted (Discord's webhook rate limit allows ~900 in 15 minutes). */
export const FOLLOW_UP_BOUNDS: Bounds = { keepMs: INTERACTION_BOUNDS.keepMs, maxEntries: 100 };

/**
 * A channel's messages: a school day of them (the channel page shows the day's lessons), at most
 * 2 000 per channel (a class of 30 running 60 demos each, with the bot's explanations).
 */
export const CHANNEL_MESSAGE_BOUNDS: Bounds = { keepMs: 12 * HOUR_MS, maxEntries: 2_000 };

/** Edit times of one message: a 60 s /ticker edits 60 times; a message edited forever stops growing. */
export const MESSAGE_EDIT_BOUNDS: Bounds = { keepMs: CHANNEL_MESSAGE_BOUNDS.keepMs, maxEntries: 300 };

/**
 * Uploaded files (the report charts, tens of kB each), as long as their messages; 1 000 at most,
 * since a file can weigh megabytes. A chart may outlive its message or go first: both are bounded.
 */
export const ATTACHMENT_BOUNDS: Bounds = { keepMs: CHANNEL_MESSAGE_BOUNDS.keepMs, maxEntries: 1_000 };

/**
 * Users, created on first use and kept while they act: a day after their last command they are
 * forgotten. The count is a ceiling the sandbox refuses to pass (429) rather than evict: evicting a
 * user in the middle of a lesson would change their id.
 */
export const USER_BOUNDS: Bounds = { keepMs: 24 * HOUR_MS, maxEntries: 1_000 };

/** The gateway's event log (connects, zombies, resumes) for GET /sandbox/gateway. */
export const GATEWAY_EVENT_BOUNDS: Bounds = { keepMs: HOUR_MS, maxEntries: 500 };

/** How long a disconnected gateway session can still be resumed. */
export const DEFAULT_RESUME_WINDOW_MS = 5 * MINUTE_MS;

/**
 * A session's dispatches kept for RESUME replay (Discord keeps a bounded buffer too): nothing older
 * than the resume window can be asked for, and past 1 000 missed events the client must identify anew.
 */
export function replayBounds(resumeWindowMs: number): Bounds {
  return { keepMs: resumeWindowMs, maxEntries: 1_000 };
}

/** REST responses kept for conformance checks (GET /sandbox/responses, with recordResponses). */
export const RECORDED_RESPONSE_BOUNDS: Bounds = { keepMs: HOUR_MS, maxEntries: 5_000 };

/** Rate limits armed through the control API and not yet met: an hour, and 100 at once. */
export const ARMED_RATE_LIMIT_BOUNDS: Bounds = { keepMs: HOUR_MS, maxEntries: 100 };

/**
 * A small history inside one record (a message's edits, an interaction's refusals): a TimeWindow
 * created on the first entry, since most messages are never edited and most interactions never
 * refused, and thousands of empty windows would each hold their full capacity.
 */
export class History<T> {
  #window: TimeWindow<T> | null = null;

  constructor(
    readonly bounds: Bounds,
    private readonly now: () => number = realNow,
  ) {}

  add(item: T): void {
    this.#window ??= new TimeWindow<T>(this.bounds, this.now);
    this.#window.push(this.now(), item);
  }

  /** Entries still within the bounds, oldest first. */
  values(): T[] {
    if (!this.#window) return [];
    this.#window.prune();
    return this.#window.values();
  }

  includes(item: T): boolean {
    return this.values().includes(item);
  }
}
