/** Steering the platform itself: Discord's clock, a 429 or 5xx on a route, the gateway's sessions and faults. */
import { HttpStatus, RateLimitScope, ServerErrorStatus } from '../../discord/facts.js';
import { MAX_SILENCE_MS } from '../gateway.js';
import { type ControlDependencies, type ControlRoute, refuse, reply, route } from './route.js';

/** An armed rate limit or 5xx: 1…100 requests; a 429 tells each to wait 1 ms…60 s (1 request, 1 s by default). */
const MAX_RATE_LIMIT_COUNT = 100;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
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
      const body = ((await ctx.json()) ?? {}) as {
        route?: unknown;
        count?: unknown;
        retryAfterMs?: unknown;
        global?: unknown;
        scope?: unknown;
        method?: unknown;
      };
      const retryAfterMs = body.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
      const common = armedCommon(body, rest.routeTemplates);
      if ('error' in common) return refuse(HttpStatus.BadRequest, common.error);
      if (typeof retryAfterMs !== 'number' || retryAfterMs < 1 || retryAfterMs > MAX_RETRY_AFTER_MS) {
        return refuse(HttpStatus.BadRequest, `"retryAfterMs" must be from 1 to ${MAX_RETRY_AFTER_MS}`);
      }
      if (body.global !== undefined && typeof body.global !== 'boolean') {
        return refuse(HttpStatus.BadRequest, '"global" must be true or false');
      }
      const scopes: unknown[] = [RateLimitScope.User, RateLimitScope.Shared];
      if (body.scope !== undefined && !scopes.includes(body.scope)) {
        return refuse(
          HttpStatus.BadRequest,
          `"scope" must be one of ${scopes.join(', ')} (or send "global":true)`,
        );
      }
      const global = body.global === true;
      try {
        rest.armRateLimit({
          route: common.route,
          remaining: common.count,
          retryAfterMs,
          global,
          ...(body.scope ? { scope: body.scope as RateLimitScope } : {}),
          ...(common.method ? { method: common.method } : {}),
        });
      } catch (error) {
        return refuse(HttpStatus.BadRequest, (error as Error).message);
      }
      return reply(HttpStatus.Ok, {
        route: common.route,
        count: common.count,
        retryAfterMs,
        global,
        ...(common.method ? { method: common.method } : {}),
      });
    }),

    route('POST', '/sandbox/faults', async (ctx) => {
      const body = ((await ctx.json()) ?? {}) as {
        route?: unknown;
        count?: unknown;
        status?: unknown;
        method?: unknown;
      };
      const common = armedCommon(body, rest.routeTemplates);
      if ('error' in common) return refuse(HttpStatus.BadRequest, common.error);
      const statuses: unknown[] = Object.values(ServerErrorStatus);
      const status = body.status ?? ServerErrorStatus.InternalServerError;
      if (!statuses.includes(status)) {
        return refuse(HttpStatus.BadRequest, `"status" must be one of ${statuses.join(', ')}`);
      }
      try {
        rest.armFault({
          route: common.route,
          remaining: common.count,
          ...(common.method ? { method: common.method } : {}),
          fault: { kind: 'server-error', status: status as number },
        });
      } catch (error) {
        return refuse(HttpStatus.BadRequest, (error as Error).message);
      }
      return reply(HttpStatus.Ok, {
        route: common.route,
        count: common.count,
        status,
        ...(common.method ? { method: common.method } : {}),
      });
    }),

    route('POST', '/sandbox/gateway/reconnect', () =>
      reply(HttpStatus.Ok, { sessions: gateway.requestReconnect() }),
    ),
    route('POST', '/sandbox/gateway/invalidate', async (ctx) => {
      const body = ((await ctx.json()) ?? {}) as { resumable?: unknown };
      if (body.resumable !== undefined && typeof body.resumable !== 'boolean') {
        return refuse(HttpStatus.BadRequest, '"resumable" must be true or false');
      }
      const resumable = body.resumable === true;
      return reply(HttpStatus.Ok, { sessions: gateway.invalidateSessions(resumable), resumable });
    }),
    route('POST', '/sandbox/gateway/drop', () =>
      reply(HttpStatus.Ok, { sessions: gateway.dropConnections() }),
    ),
    route('POST', '/sandbox/gateway/silence', async (ctx) => {
      const body = ((await ctx.json()) ?? {}) as { ms?: unknown };
      const ms = body.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1 || ms > MAX_SILENCE_MS) {
        return refuse(HttpStatus.BadRequest, `"ms" must be from 1 to ${MAX_SILENCE_MS}`);
      }
      return reply(HttpStatus.Ok, { sessions: gateway.silence(ms), ms });
    }),
  ];
}

/** `route`, `count` and `method`, as a 429 and a 5xx both take them. */
function armedCommon(
  body: { route?: unknown; count?: unknown; method?: unknown },
  templates: string[],
): { route: string; count: number; method: string | undefined } | { error: string } {
  const count = body.count ?? 1;
  if (typeof body.route !== 'string') {
    return { error: `"route" is required, one of: ${templates.join(', ')}` };
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_RATE_LIMIT_COUNT) {
    return { error: `"count" must be a whole number from 1 to ${MAX_RATE_LIMIT_COUNT}` };
  }
  if (
    body.method !== undefined &&
    (typeof body.method !== 'string' || !METHODS.includes(body.method.toUpperCase()))
  ) {
    return { error: `"method" must be one of ${METHODS.join(', ')}` };
  }
  return { route: body.route, count, method: (body.method as string | undefined)?.toUpperCase() };
}
