/**
 * Rate limits armed through the control API (POST /sandbox/ratelimit): the next `remaining`
 * requests to a route get Discord's 429, so a lesson can show @discordjs/rest waiting and retrying.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, HttpStatus } from '../../discord/facts.js';
import { BoundedMap, type Bounds } from '../../lib/bounded.js';
import { ARMED_RATE_LIMIT_BOUNDS, realNow } from '../bounds.js';
import type { RestResult } from './route.js';

/** A rate limit the control API armed: the next `remaining` requests to `route` get a 429. */
export interface ArmedRateLimit {
  /** A route template as the sandbox names it, e.g. "/interactions/{id}/{token}/callback". */
  route: string;
  remaining: number;
  retryAfterMs: number;
}

export class ArmedRateLimits {
  /** In arming order (a serial number as key): two limits on one route are met one after the other. */
  readonly #armed: BoundedMap<number, ArmedRateLimit>;
  #serial = 0;

  constructor(bounds: Bounds = ARMED_RATE_LIMIT_BOUNDS, now: () => number = realNow) {
    this.#armed = new BoundedMap(bounds, now);
  }

  arm(limit: ArmedRateLimit): void {
    this.#armed.set(this.#serial++, { ...limit });
  }

  /** Discord's 429 for `route` if one is armed (and counts it down); null otherwise. */
  take(route: string, nowMs: number): RestResult | null {
    this.#armed.prune();
    const key = this.#armed.keys().find((k) => {
      const limit = this.#armed.get(k);
      return limit?.route === route && limit.remaining > 0;
    });
    const limit = key === undefined ? undefined : this.#armed.get(key);
    if (key === undefined || !limit) return null;
    limit.remaining -= 1;
    if (limit.remaining === 0) this.#armed.delete(key);
    return tooManyRequests(route, limit.retryAfterMs, nowMs);
  }
}

/** Discord's 429: JSON body with retry_after in seconds, and the X-RateLimit-* headers. */
function tooManyRequests(route: string, retryAfterMs: number, nowMs: number): RestResult {
  const seconds = retryAfterMs / 1000;
  const resetAt = (nowMs + retryAfterMs) / 1000;
  return {
    status: HttpStatus.TooManyRequests,
    body: {
      message: 'You are being rate limited.',
      retry_after: seconds,
      global: false,
      code: ErrorCode.General,
    },
    headers: {
      'retry-after': String(Math.ceil(seconds)),
      'x-ratelimit-limit': '1',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': resetAt.toFixed(3),
      'x-ratelimit-reset-after': seconds.toFixed(3),
      'x-ratelimit-bucket': createHash('sha1').update(route).digest('hex').slice(0, 32),
      'x-ratelimit-scope': 'user',
    },
  };
}
