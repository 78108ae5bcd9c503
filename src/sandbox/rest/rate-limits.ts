/**
 * Rate limits armed through the control API (POST /sandbox/ratelimit): the next `remaining`
 * requests to a route get Discord's 429, so a lesson can show @discordjs/rest waiting and retrying.
 * They share one store with the armed 5xx (rest/faults.ts), so faults are met in arming order.
 */
import { RateLimitScope } from '../../discord/facts.js';
import type { Bounds } from '../../lib/bounded.js';
import { ARMED_RATE_LIMIT_BOUNDS, realNow } from '../bounds.js';
import { ArmedFaults } from './faults.js';
import type { RestResult } from './route.js';

/** A rate limit the control API armed: the next `remaining` requests to `route` get a 429. */
export interface ArmedRateLimit {
  /** A route as the sandbox names it, e.g. "/interactions/{id}/{token}/callback" (see ArmedFault.route). */
  route: string;
  remaining: number;
  retryAfterMs: number;
  /** The bot's global limit (X-RateLimit-Global, scope "global") rather than the route's. */
  global?: boolean;
  /** X-RateLimit-Scope of a route's limit: "user" (the default) or "shared". */
  scope?: RateLimitScope;
  method?: string;
}

export class ArmedRateLimits {
  readonly #faults: ArmedFaults;

  constructor(bounds: Bounds = ARMED_RATE_LIMIT_BOUNDS, now: () => number = realNow) {
    this.#faults = new ArmedFaults(bounds, now);
  }

  arm(limit: ArmedRateLimit): void {
    this.#faults.arm(rateLimitFault(limit));
  }

  /** Discord's 429 for `route` if one is armed (and counts it down); null otherwise. */
  take(route: string, nowMs: number, path = route, method?: string): RestResult | null {
    return this.#faults.take(route, nowMs, path, method);
  }
}

/** An armed rate limit as the faults store keeps it. */
export function rateLimitFault(limit: ArmedRateLimit) {
  const global = limit.global === true;
  return {
    route: limit.route,
    remaining: limit.remaining,
    ...(limit.method ? { method: limit.method } : {}),
    fault: {
      kind: 'rate-limit' as const,
      retryAfterMs: limit.retryAfterMs,
      global,
      scope: global ? RateLimitScope.Global : (limit.scope ?? RateLimitScope.User),
    },
  };
}
