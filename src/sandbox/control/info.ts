/** GET /sandbox: where everything is, who is there, and how to act (never the bot token). */
import { shardOf } from '../world.js';
import type { ControlDependencies } from './route.js';

export function sandboxOverview({ world, gateway, rest, info }: ControlDependencies) {
  const listening = info();
  return {
    name: 'LoopLab Discord sandbox',
    restUrl: listening?.restUrl,
    apiUrl: listening?.apiUrl,
    gatewayUrl: listening?.gatewayUrl,
    applicationId: world.applicationId,
    guildId: world.guildId,
    channelId: world.channelId,
    shards: world.shardCount,
    maxConcurrency: world.maxConcurrency,
    guilds: world.guilds.map((g) => ({
      id: g.id,
      name: g.name,
      channelId: g.channelId,
      shard: shardOf(g.id, world.shardCount),
    })),
    botConnected: gateway.connectedSessions > 0,
    /** The connected clients' libraries, as they named themselves at IDENTIFY. */
    clientLibraries: gateway.connectedLibraries,
    /** Routes a client asked for that the sandbox does not serve (Discord's 404 was answered). */
    unservedRoutes: rest.unservedRoutes.map(({ method, route, status, count }) => ({
      method,
      route,
      status,
      count,
    })),
    heartbeatIntervalMs: gateway.heartbeatIntervalMs,
    clockOffsetMs: world.clock.offsetMs,
    now: world.clock.now(),
    commands: [...world.guildCommands.values(), ...world.globalCommands.values()].map((c) => ({
      name: c.name,
      description: c.description,
      scope: c.guild_id ? 'guild' : 'global',
      options: (c.options ?? []).map((o) => {
        const option = o as {
          name: string;
          type: number;
          required?: boolean;
          choices?: Array<{ value: unknown }>;
        };
        return {
          name: option.name,
          type: option.type,
          required: option.required === true,
          ...(option.choices ? { choices: option.choices.map((x) => x.value) } : {}),
        };
      }),
    })),
    users: world.knownUsers().map((u) => ({ id: u.id, name: u.username })),
    routes: {
      invoke: 'POST /sandbox/invoke {"user":"alice","command":"block","options":{"ms":4000}}',
      interaction: 'GET /sandbox/interactions/{id}[?wait=settled&timeoutMs=15000]',
      click: 'POST /sandbox/click {"user":"alice","messageId":"…","customId":"…"}',
      messages: `GET /sandbox/channels/${world.channelId}/messages`,
      clock: 'POST /sandbox/clock {"offsetMs":120000} or {"advanceMs":900000}',
      ratelimit:
        'POST /sandbox/ratelimit {"route":"/interactions/{id}/{token}/callback","retryAfterMs":3300}',
      scenario:
        'POST /sandbox/scenario {"steps":[{"afterMs":0,"user":"alice","command":"block","options":{"ms":3500}}]}',
      teacher:
        'POST /sandbox/invoke {"user":"tess","command":"classroom show","teacher":true} (or "permissions":"32", or "dm":true)',
      raw: 'POST /sandbox/interactions/raw <any JSON>[?keep=true]; POST /sandbox/interactions/raw/batch {"interactions":[…]}',
      summary: 'GET /sandbox/interactions/summary[?ids=…] or POST it {"ids":[…]}',
      faults:
        'POST /sandbox/faults {"route":"/webhooks/{id}/{token}/messages/@original","status":503,"count":2}',
      gateway:
        'POST /sandbox/gateway/drop | /silence {"ms":5000} | /invalidate {"resumable":true} | /reconnect; GET /sandbox/gateway',
    },
  };
}
