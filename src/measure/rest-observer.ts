import { tokenlessPath } from '../discord/paths.js';
import { BoundedMap, TimeWindow } from '../lib/bounded.js';
import type { ClockOffsetEstimator } from './clock-offset.js';
import { historyBounds } from './history.js';

export interface CallbackTiming {
  /** When @discordjs/rest actually put the callback request on the wire (after its queue). */
  sentAt: number;
  receivedAt: number;
  status: number;
}

export interface RateLimitHit {
  at: number;
  route: string;
  /** How long the client was told to wait (Retry-After: what @discordjs/rest actually waits). */
  retryAfterMs: number;
  global: boolean;
  /** The interaction whose callback or webhook request hit the limit, if any. */
  interactionId?: string;
}

type ResponseLike = { headers: { get(name: string): string | null }; status: number };

/**
 * Watches every REST request discord.js makes: Discord's `Date` header feeds the clock-offset
 * estimate, and interaction callbacks are timed on the wire, so a report can tell time spent in
 * our own code from time spent in @discordjs/rest's queue (rate limits).
 */
export class RestObserver {
  readonly #callbacks = new BoundedMap<string, CallbackTiming>(historyBounds({ maxEntries: 10_000 }));
  readonly #rateLimits = new TimeWindow<RateLimitHit>(historyBounds({ maxEntries: 1_000 }));

  constructor(
    private readonly clock: ClockOffsetEstimator,
    private readonly onRateLimit: (hit: RateLimitHit) => void = () => {},
  ) {}

  wrap<I, R extends ResponseLike>(makeRequest: (url: string, init: I) => Promise<R>) {
    return async (url: string, init: I): Promise<R> => {
      const sentAt = Date.now();
      const response = await makeRequest(url, init);
      const receivedAt = Date.now();
      this.clock.addSample(response.headers.get('date'), sentAt, receivedAt);
      if (response.status === 429) {
        // @discordjs/rest waits and retries a 429 by itself, emitting only a debug line: note it here.
        const after = Number(response.headers.get('retry-after'));
        this.recordRateLimit({
          at: receivedAt,
          route: tokenlessPath(new URL(url).pathname.replace(/^\/api(\/v\d+)?/, ''), true),
          retryAfterMs: Number.isFinite(after) ? after * 1000 : 0,
          global: response.headers.get('x-ratelimit-global') !== null,
          interactionId: /\/interactions\/(\d+)\//.exec(url)?.[1],
        });
      }
      const callback = /\/interactions\/(\d+)\/[^/]+\/callback/.exec(url);
      if (callback?.[1]) {
        this.#callbacks.set(callback[1], { sentAt, receivedAt, status: response.status }, receivedAt);
      }
      return response;
    };
  }

  callbackTiming(interactionId: string): CallbackTiming | undefined {
    return this.#callbacks.get(interactionId);
  }

  recordRateLimit(hit: RateLimitHit): void {
    // After a 429, @discordjs/rest also announces its wait as a rate limit: one hit is enough.
    const last = this.#rateLimits.last()?.item;
    if (last && hit.at - last.at < last.retryAfterMs && !hit.interactionId) return;
    this.onRateLimit(hit);
    this.#rateLimits.push(hit.at, hit);
  }

  /** Every 429 seen in the history window, oldest first. */
  get rateLimits(): RateLimitHit[] {
    return this.#rateLimits.values();
  }

  /** Limits hit by one interaction's own callback requests. */
  rateLimitsOf(interactionId: string): RateLimitHit[] {
    return this.#rateLimits.values().filter((r) => r.interactionId === interactionId);
  }
}
