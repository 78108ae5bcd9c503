import { TimeWindow } from './bounded.js';
import { historyBounds } from './history.js';

/**
 * Who held the main thread, and when. Every piece of synchronous demo work runs through `hold`,
 * which records a span with the interaction that caused it; a report can then say, for any
 * interaction that waited, whose work it waited behind.
 */
export interface Holder {
  interactionId: string;
  command: string;
  user: string;
  userId: string;
  /** e.g. "/block 2000 (cpu)" */
  label: string;
}

export interface HoldSpan extends Holder {
  start: number;
  end: number;
}

export interface Blocker extends Holder {
  /** Total ms this holder's spans overlapped the window. */
  heldMs: number;
  start: number;
  end: number;
}

/** Spans kept at most (slices merge into one span per 100 ms, so this is minutes of /yield). */
const MAX_SPANS = 10_000;

export class MainThreadLedger {
  /** Spans stamped by their end (they are added when they end, so in time order). */
  readonly #spans: TimeWindow<HoldSpan>;
  #current: Holder | null = null;
  #currentSince = 0;
  /** Called when a hold begins and ends (the watchdog shows who is holding the thread). */
  onChange: ((holder: Holder | null, since: number) => void) | null = null;

  constructor(keepMs = historyBounds({ maxEntries: MAX_SPANS }).keepMs) {
    this.#spans = new TimeWindow<HoldSpan>({ keepMs, maxEntries: MAX_SPANS });
  }

  get current(): { holder: Holder; since: number } | null {
    return this.#current ? { holder: this.#current, since: this.#currentSince } : null;
  }

  /** Runs `fn` synchronously on the main thread, recording that `holder` held it meanwhile. */
  hold<T>(holder: Holder, fn: () => T): T {
    const start = Date.now();
    this.#current = holder;
    this.#currentSince = start;
    this.onChange?.(holder, start);
    try {
      return fn();
    } finally {
      const end = Date.now();
      this.#current = null;
      this.onChange?.(null, end);
      this.add({ ...holder, start, end });
    }
  }

  add(span: HoldSpan): void {
    const last = this.#spans.last()?.item;
    // Slices of one interaction that follow each other closely become one span per 100 ms.
    if (
      last &&
      last.interactionId === span.interactionId &&
      span.start - last.end < 5 &&
      span.end - last.start < 100
    ) {
      last.end = span.end;
      this.#spans.restampLast(span.end);
    } else {
      this.#spans.push(span.end, { ...span });
    }
  }

  /** How many spans are kept now (bounded by the history window). */
  get size(): number {
    return this.#spans.size;
  }

  /** Spans overlapping [start, end]. */
  spans(start: number, end: number): HoldSpan[] {
    // Stamped by their end: a span that ends after `start` may overlap; one that starts after `end` does not.
    return this.#spans
      .between(start)
      .filter((s) => s.end > start && s.start < end)
      .map((s) => ({ ...s }));
  }

  /** Other interactions that held the thread during [start, end], longest first. */
  blockersOf(interactionId: string, start: number, end: number, minMs = 20): Blocker[] {
    const byInteraction = new Map<string, Blocker>();
    for (const span of this.spans(start, end)) {
      if (span.interactionId === interactionId) continue;
      const overlap = Math.min(end, span.end) - Math.max(start, span.start);
      if (overlap <= 0) continue;
      const existing = byInteraction.get(span.interactionId);
      if (existing) {
        existing.heldMs += overlap;
        existing.start = Math.min(existing.start, span.start);
        existing.end = Math.max(existing.end, span.end);
      } else {
        const { start: s, end: e, ...holder } = span;
        byInteraction.set(span.interactionId, { ...holder, heldMs: overlap, start: s, end: e });
      }
    }
    return [...byInteraction.values()].filter((b) => b.heldMs >= minMs).sort((a, b) => b.heldMs - a.heldMs);
  }

  /** Total ms that `interactionId` itself held the thread. */
  heldBy(interactionId: string): number {
    return this.#spans
      .values()
      .filter((s) => s.interactionId === interactionId)
      .reduce((t, s) => t + (s.end - s.start), 0);
  }
}
