/**
 * The application and its commands: `/applications/@me` (and its OAuth2 twin, which discord.py asks
 * for at login), and the command routes, global and per guild.
 */
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { ErrorCode, HttpStatus } from '../../discord/facts.js';
import { overwriteCommands, storeCommand } from '../commands.js';
import { ApiError } from '../http.js';
import type { RouteParams } from '../routing.js';
import type { SandboxWorld } from '../world.js';
import { type RestDependencies, type RestRoute, route } from './route.js';

export function applicationRoutes({ world }: RestDependencies): RestRoute[] {
  return [
    route('GET', '/applications/@me', true, () => ({
      status: HttpStatus.Ok,
      body: applicationPayload(world),
    })),
    // discord.py's Client.login() → application_info(): the same application, by its OAuth2 route.
    route('GET', '/oauth2/applications/@me', true, () => ({
      status: HttpStatus.Ok,
      body: applicationPayload(world),
    })),
    ...commandRoutes(world, null),
    ...commandRoutes(world, world.guildId),
  ];
}

/** The six command routes of one scope: global (`guildId` null) or the sandbox's guild. */
function commandRoutes(world: SandboxWorld, guildId: string | null): RestRoute[] {
  const list = guildId ? '/applications/{app}/guilds/{guild}/commands' : '/applications/{app}/commands';
  const one = `${list}/{command}`;
  const commands = () => world.commandsFor(guildId);
  const scope = (params: RouteParams) => {
    if (params.app !== world.applicationId)
      throw new ApiError(HttpStatus.NotFound, ErrorCode.UnknownApplication);
    if (guildId && params.guild !== guildId) throw new ApiError(HttpStatus.NotFound, ErrorCode.UnknownGuild);
  };
  const existing = (params: RouteParams): APIApplicationCommand => {
    scope(params);
    const found = params.command ? commands().get(params.command) : undefined;
    if (!found) throw new ApiError(HttpStatus.NotFound, ErrorCode.UnknownApplicationCommand);
    return found;
  };
  return [
    route('GET', list, true, ({ params }) => {
      scope(params);
      return { status: HttpStatus.Ok, body: [...commands().values()] };
    }),
    route('PUT', list, true, ({ params, body }) => {
      scope(params);
      return { status: HttpStatus.Ok, body: overwriteCommands(world, body.json, guildId) };
    }),
    route('POST', list, true, ({ params, body }) => {
      scope(params);
      const { command, created } = storeCommand(world, body.json as object, guildId);
      return { status: created ? HttpStatus.Created : HttpStatus.Ok, body: command };
    }),
    route('GET', one, true, ({ params }) => ({ status: HttpStatus.Ok, body: existing(params) })),
    route('PATCH', one, true, ({ params, body }) => {
      const before = existing(params);
      const patch = (body.json ?? {}) as Record<string, unknown>;
      // Validated as a whole command, then kept under its id (a PATCH never renames the id).
      commands().delete(before.id);
      const { command: updated } = storeCommand(world, { ...before, ...patch }, guildId);
      commands().delete(updated.id);
      const kept = { ...updated, id: before.id };
      commands().set(before.id, kept);
      return { status: HttpStatus.Ok, body: kept };
    }),
    route('DELETE', one, true, ({ params }) => {
      commands().delete(existing(params).id);
      return { status: HttpStatus.NoContent };
    }),
  ];
}

function applicationPayload(world: SandboxWorld) {
  return {
    id: world.applicationId,
    name: world.applicationName,
    icon: null,
    description: 'LoopLab sandbox application',
    type: null,
    bot: world.bot,
    bot_public: false,
    bot_require_code_grant: false,
    // discord.py reads it unconditionally (AppInfo: data['rpc_origins']).
    rpc_origins: [],
    verify_key: '0'.repeat(64),
    flags: 0,
    flags_new: '0',
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    owner: world.owner,
    approximate_guild_count: 1,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    explicit_content_filter: 0,
    team: null,
    eligible_oauth2_scopes: ['bot', 'applications.commands'],
    tags: ['education'],
  };
}
