/** What a client asks for when it logs in: where the gateway is, and who the bot is. */
import { HttpStatus } from '../../discord/facts.js';
import { type RestDependencies, type RestRoute, route } from './route.js';

/** One shard, and identifies to spare: the sandbox never makes a bot wait to connect. */
const SESSION_START_LIMIT = { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 };

export function loginRoutes({ world, gatewayUrl }: RestDependencies): RestRoute[] {
  return [
    route('GET', '/gateway/bot', true, () => ({
      status: HttpStatus.Ok,
      // SANDBOX_SHARDS / SANDBOX_MAX_CONCURRENCY: the shard count and identify buckets it recommends.
      body: {
        url: gatewayUrl(),
        shards: world.shardCount,
        session_start_limit: { ...SESSION_START_LIMIT, ...world.sessionStartLimit() },
      },
    })),
    route('GET', '/gateway', false, () => ({ status: HttpStatus.Ok, body: { url: gatewayUrl() } })),
    route('GET', '/users/@me', true, () => ({
      status: HttpStatus.Ok,
      body: { ...world.bot, mfa_enabled: false, locale: 'en-US', verified: true, email: null },
    })),
  ];
}
