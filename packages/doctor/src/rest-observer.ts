import { BoundedMap, TimeWindow } from './bounded.js';
import type { ClockOffsetEstimator } from './clock-offset.js';
import { historyBounds } from './history.js';
import { tokenlessPath } from './limits.js';

export interface CallbackTiming {
  /** When @discordjs/rest actually put the (last) callback request on the wire (after its queue). */
  sentAt: number;
  /** When the first attempt went out (earlier than sentAt when it was retried). */
  firstSentAt: number;
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

/** A 5xx Discord answered: @discordjs/rest retries those by itself (up to its `retries`). */
export interface ServerErrorHit {
  at: number;
  route: string;
  status: number;
  /** The interaction whose callback or webhook request it was, if any. */
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
  readonly #serverErrors = new TimeWindow<ServerErrorHit>(historyBounds({ maxEntries: 1_000 }));
  /** Interaction tokens seen in callbacks → their interaction, so webhook requests can be attributed. */
  readonly #tokens = new BoundedMap<string, string>(historyBounds({ maxEntries: 10_000 }));

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
      const callback = /\/interactions\/(\d+)\/([^/]+)\/callback/.exec(url);
      if (callback?.[1] && callback[2]) this.#tokens.set(callback[2], callback[1], receivedAt);
      const interactionId =
        callback?.[1] ?? this.#tokens.get(/\/webhooks\/\d+\/([^/?]+)/.exec(url)?.[1] ?? '');
      const route = tokenlessPath(new URL(url).pathname.replace(/^\/api(\/v\d+)?/, ''), true);
      if (response.status >= 500) {
        this.#serverErrors.push(receivedAt, {
          at: receivedAt,
          route,
          status: response.status,
          ...(interactionId ? { interactionId } : {}),
        });
      }
      if (response.status === 429) {
        // @discordjs/rest waits and retries a 429 by itself, emitting only a debug line: note it here.
        const after = Number(response.headers.get('retry-after'));
        this.recordRateLimit({
          at: receivedAt,
          route,
          retryAfterMs: Number.isFinite(after) ? after * 1000 : 0,
          global: response.headers.get('x-ratelimit-global') !== null,
          ...(interactionId ? { interactionId } : {}),
        });
      }
      if (callback?.[1]) {
        const first = this.#callbacks.get(callback[1]);
        this.#callbacks.set(
          callback[1],
          { sentAt, receivedAt, status: response.status, firstSentAt: first?.firstSentAt ?? sentAt },
          receivedAt,
        );
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

  /** 5xx answers to one interaction's own callback and webhook requests. */
  serverErrorsOf(interactionId: string): ServerErrorHit[] {
    return this.#serverErrors.values().filter((e) => e.interactionId === interactionId);
  }

  /** Limits hit by one interaction's own callback requests. */
  rateLimitsOf(interactionId: string): RateLimitHit[] {
    return this.#rateLimits.values().filter((r) => r.interactionId === interactionId);
  }
}
