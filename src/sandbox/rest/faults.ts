/**
 * Faults armed through the control API: the next `remaining` requests to a route get Discord's 429
 * (POST /sandbox/ratelimit) or a 5xx (POST /sandbox/faults) instead of being performed, so a lesson
 * (or a test) can show @discordjs/rest waiting and retrying, and the bot's answer still arriving.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { ErrorCode, HttpStatus, type RateLimitScope } from '../../discord/facts.js';
import { BoundedMap, type Bounds } from '../../lib/bounded.js';
import { ARMED_RATE_LIMIT_BOUNDS, realNow } from '../bounds.js';
import type { RestResult } from './route.js';

/** What an armed fault answers instead of the route. */
export type Fault =
  | { kind: 'rate-limit'; retryAfterMs: number; global: boolean; scope: RateLimitScope }
  | { kind: 'server-error'; status: number };

export interface ArmedFault {
  /**
   * The route, as the sandbox names it ("/interactions/{id}/{token}/callback") or with Discord's
   * names for its parameters ("/channels/{channel_id}/messages"); a segment may also be a value,
   * e.g. "/webhooks/{id}/{token}/messages/@original" for edits of the original response only.
   */
  route: string;
  /** Only requests with this method (GET, PATCH…); any when absent. */
  method?: string;
  remaining: number;
  fault: Fault;
}

/**
 * A route pattern: `{anything}` stands for one parameter of the route; other segments are literal,
 * matched against the route's own literals or against the value a request gave a parameter.
 */
export class RoutePattern {
  readonly #segments: Array<string | null>;

  constructor(readonly text: string) {
    this.#segments = segmentsOf(text).map((s) => (/^\{[^}]*\}$/.test(s) ? null : s));
  }

  /** Could this pattern ever match a request to `template`? (Checked when it is armed.) */
  fits(template: string): boolean {
    const route = segmentsOf(template);
    return (
      route.length === this.#segments.length &&
      this.#segments.every((s, i) => {
        const r = route[i] ?? '';
        return s === null ? isParam(r) : s === r || isParam(r);
      })
    );
  }

  /** Does a request to `template`, at concrete `path`, match? */
  matches(template: string, path: string): boolean {
    if (!this.fits(template)) return false;
    const route = segmentsOf(template);
    const concrete = segmentsOf(path);
    return this.#segments.every((s, i) => {
      if (s === null) return true;
      const r = route[i] ?? '';
      return isParam(r) ? concrete[i] === s : s === r;
    });
  }
}

export class ArmedFaults {
  /** In arming order (a serial number as key): two faults on one route are met one after the other. */
  readonly #armed: BoundedMap<number, ArmedFault & { pattern: RoutePattern }>;
  #serial = 0;

  constructor(bounds: Bounds = ARMED_RATE_LIMIT_BOUNDS, now: () => number = realNow) {
    this.#armed = new BoundedMap(bounds, now);
  }

  arm(fault: ArmedFault): void {
    this.#armed.set(this.#serial++, {
      ...fault,
      ...(fault.method ? { method: fault.method.toUpperCase() } : {}),
      pattern: new RoutePattern(fault.route),
    });
  }

  /** The armed answer for this request if one waits (and counts it down); null otherwise. */
  take(template: string, nowMs: number, path = template, method?: string): RestResult | null {
    this.#armed.prune();
    const key = this.#armed.keys().find((k) => {
      const armed = this.#armed.get(k);
      if (!armed || armed.remaining <= 0) return false;
      if (armed.method && method && armed.method !== method.toUpperCase()) return false;
      return armed.route === template || armed.pattern.matches(template, path);
    });
    const armed = key === undefined ? undefined : this.#armed.get(key);
    if (key === undefined || !armed) return null;
    armed.remaining -= 1;
    if (armed.remaining === 0) this.#armed.delete(key);
    const { fault } = armed;
    return fault.kind === 'server-error'
      ? serverError(fault.status)
      : tooManyRequests(template, fault, nowMs);
  }
}

/** Discord's 5xx: `{"message":"500: Internal Server Error","code":0}` (the status, and its reason). */
export function serverError(status: number): RestResult {
  return {
    status,
    body: { message: `${status}: ${STATUS_CODES[status] ?? 'Server Error'}`, code: ErrorCode.General },
  };
}

/**
 * Discord's 429: `retry_after` in seconds (a float, to the millisecond), `global`, and the headers.
 * A route's limit names its bucket; the global one says so (X-RateLimit-Global) and has none.
 */
export function tooManyRequests(
  route: string,
  fault: { retryAfterMs: number; global: boolean; scope: RateLimitScope },
  nowMs: number,
): RestResult {
  const seconds = Math.round(fault.retryAfterMs) / 1000;
  const headers: Record<string, string> = {
    'retry-after': String(Math.ceil(seconds)),
    'x-ratelimit-scope': fault.global ? 'global' : fault.scope,
  };
  if (fault.global) headers['x-ratelimit-global'] = 'true';
  else {
    Object.assign(headers, {
      'x-ratelimit-limit': '1',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': ((nowMs + fault.retryAfterMs) / 1000).toFixed(3),
      'x-ratelimit-reset-after': seconds.toFixed(3),
      'x-ratelimit-bucket': bucketOf(route),
    });
  }
  return {
    status: HttpStatus.TooManyRequests,
    body: {
      message: 'You are being rate limited.',
      retry_after: seconds,
      global: fault.global,
      code: ErrorCode.General,
    },
    headers,
  };
}

/** A stable, opaque id per route, as Discord's bucket hashes are. */
function bucketOf(route: string): string {
  return createHash('sha1').update(route).digest('hex').slice(0, 32);
}

function isParam(segment: string): boolean {
  return /^\{[^}]*\}$/.test(segment);
}

/** A path's segments: `%40` read as `@` (as clients send `@original`), no query, no trailing slash. */
function segmentsOf(path: string): string[] {
  const clean = (path.split('?', 1)[0] ?? '').replace(/%40/gi, '@').replace(/\/+$/, '');
  return clean.split('/').slice(1);
}
