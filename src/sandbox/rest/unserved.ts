/**
 * The routes a client asked for that the sandbox does not serve. They are answered with Discord's
 * own 404 (or 405), and each is logged once — as a route shape, never with its ids or tokens — so
 * the next gap a new bot library meets is one log line away.
 */
import { HttpStatus } from '../../discord/facts.js';
import { BoundedMap, type Bounds } from '../../lib/bounded.js';
import { realNow } from '../bounds.js';

export interface UnservedRoute {
  method: string;
  /** The path's shape: `/guilds/{id}/members`; a segment that may be a secret is `{…}`. */
  route: string;
  /** 404: no such route; 405: the route exists for another method. */
  status: number;
  count: number;
  firstAt: number;
  lastAt: number;
}

/** A hundred distinct routes for an hour: every gap a library shows, and a bound against a scan. */
export const UNSERVED_ROUTE_BOUNDS: Bounds = { keepMs: 60 * 60_000, maxEntries: 100 };

/** A literal route segment: lower-case words (`applications`, `@me`, `auto-moderation`), never a token. */
const LITERAL = /^@?[a-z][a-z0-9_-]{0,31}$/;

/** `/guilds/123/members?limit=1` → `/guilds/{id}/members`; anything that is not a literal word → `{…}`. */
export function routeShape(path: string): string {
  const clean = (path.split(/[?#]/, 1)[0] ?? '').replace(/%40/gi, '@');
  return clean
    .split('/')
    .map((segment, i) => {
      if (i === 0 || segment === '') return segment;
      if (/^\d{1,20}$/.test(segment)) return '{id}';
      return LITERAL.test(segment) ? segment : '{…}';
    })
    .join('/');
}

export class UnservedRoutes {
  readonly #routes: BoundedMap<string, UnservedRoute>;

  constructor(
    private readonly warn: (line: string) => void,
    private readonly now: () => number = realNow,
  ) {
    this.#routes = new BoundedMap(UNSERVED_ROUTE_BOUNDS, now);
  }

  /** Counts a request the sandbox answered 404/405 for lack of a route; logs a route's first one. */
  note(method: string, path: string, status: number): void {
    const route = routeShape(path);
    const key = `${method} ${route}`;
    const at = this.now();
    const known = this.#routes.get(key);
    if (known) {
      known.count += 1;
      known.lastAt = at;
      this.#routes.set(key, known, at);
      return;
    }
    this.#routes.set(key, { method, route, status, count: 1, firstAt: at, lastAt: at }, at);
    this.warn(
      `sandbox: a client asked for ${method} /api/v10${route}, which the sandbox does not serve ` +
        `(answered ${status} as Discord does${status === HttpStatus.NotFound ? ' for an unknown route' : ''}).`,
    );
  }

  /** The routes asked for and not served, oldest first. */
  values(): UnservedRoute[] {
    this.#routes.prune();
    return this.#routes.values().map((r) => ({ ...r }));
  }
}
