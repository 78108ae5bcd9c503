/** Steering the platform itself: Discord's clock, a rate limit on a route, the gateway's sessions. */
import { HttpStatus } from '../../discord/facts.js';
import { type ControlDependencies, type ControlRoute, refuse, reply, route } from './route.js';

/** An armed rate limit: 1…100 requests, each told to wait 1 ms…60 s (1 request, 1 s by default). */
const MAX_RATE_LIMIT_COUNT = 100;
const MAX_RETRY_AFTER_MS = 60_000;
const DEFAULT_RETRY_AFTER_MS = 1_000;

export function platformRoutes({ world, interactions, gateway, rest }: ControlDependencies): ControlRoute[] {
  return [
    route('POST', '/sandbox/clock', async (ctx) => {
      const body = ((await ctx.json()) ?? {}) as { offsetMs?: unknown; advanceMs?: unknown };
      if (body.offsetMs !== undefined) {
        if (typeof body.offsetMs !== 'number' || !Number.isFinite(body.offsetMs)) {
          return refuse(HttpStatus.BadRequest, '"offsetMs" must be a number');
        }
        world.clock.setOffset(body.offsetMs);
      }
      if (body.advanceMs !== undefined) {
        if (typeof body.advanceMs !== 'number' || !Number.isFinite(body.advanceMs) || body.advanceMs < 0) {
          return refuse(HttpStatus.BadRequest, '"advanceMs" must be a non-negative number');
        }
        world.clock.advance(body.advanceMs);
      }
      interactions.clockChanged();
      return reply(HttpStatus.Ok, { offsetMs: world.clock.offsetMs, now: world.clock.now() });
    }),

    route('POST', '/sandbox/ratelimit', async (ctx) => {
      const body = ((await ctx.json()) ?? {}) as { route?: unknown; count?: unknown; retryAfterMs?: unknown };
      const count = body.count ?? 1;
      const retryAfterMs = body.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
      if (typeof body.route !== 'string') {
        return refuse(
          HttpStatus.BadRequest,
          `"route" is required, one of: ${rest.routeTemplates.join(', ')}`,
        );
      }
      if (
        typeof count !== 'number' ||
        !Number.isInteger(count) ||
        count < 1 ||
        count > MAX_RATE_LIMIT_COUNT
      ) {
        return refuse(
          HttpStatus.BadRequest,
          `"count" must be a whole number from 1 to ${MAX_RATE_LIMIT_COUNT}`,
        );
      }
      if (typeof retryAfterMs !== 'number' || retryAfterMs < 1 || retryAfterMs > MAX_RETRY_AFTER_MS) {
        return refuse(HttpStatus.BadRequest, `"retryAfterMs" must be from 1 to ${MAX_RETRY_AFTER_MS}`);
      }
      try {
        rest.armRateLimit({ route: body.route, remaining: count, retryAfterMs });
      } catch (error) {
        return refuse(HttpStatus.BadRequest, (error as Error).message);
      }
      return reply(HttpStatus.Ok, { route: body.route, count, retryAfterMs });
    }),

    route('POST', '/sandbox/gateway/reconnect', () =>
      reply(HttpStatus.Ok, { sessions: gateway.requestReconnect() }),
    ),
    route('POST', '/sandbox/gateway/invalidate', () =>
      reply(HttpStatus.Ok, { sessions: gateway.invalidateSessions() }),
    ),
  ];
}
