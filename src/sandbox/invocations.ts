/**
 * What a user does in the sandbox: send a slash command (in the guild or a DM) or press a button.
 * Each is checked the way Discord's client checks it before anything reaches the bot, then becomes
 * an interaction. And what no Discord client would send: a raw payload, for hostile-input tests.
 */
import {
  type APIApplicationCommand,
  ApplicationCommandType,
  InteractionContextType,
  InteractionType,
  PermissionFlagsBits,
} from 'discord-api-types/v10';
import { HttpStatus } from '../discord/facts.js';
import { randomToken } from './ids.js';
import {
  buttonPayload,
  checkedOptions,
  commandPayload,
  hasEnabledButton,
  optionsAsGiven,
  type Place,
} from './interaction-payload.js';
import type { InteractionRecord, InteractionStore } from './interaction-store.js';
import type { SandboxUser } from './stored.js';
import { SANDBOX_PERMISSIONS, type SandboxGuild, type SandboxWorld, TEACHER_PERMISSIONS } from './world.js';

/** Why the sandbox would not send it; the control API answers `status` with `{ error: message }`. */
export class InvocationError extends Error {
  constructor(
    message: string,
    readonly status: number = HttpStatus.BadRequest,
  ) {
    super(message);
  }
}

export interface InvokeRequest {
  user: string;
  command: string;
  options?: Record<string, unknown>;
  /** Skip validation against the registered commands, as a stale or hostile client might. */
  validate?: boolean;
  /** Another client already acknowledged it: the bot's callback gets 40060. */
  ackedElsewhere?: boolean;
  /** The member's permissions, a bit string such as "32" (default: the members' defaults, no Manage Server). */
  permissions?: string;
  /** A teacher: the members' defaults plus Manage Server (32), through the guild's Teacher role. */
  teacher?: boolean;
  /** From the user's DM with the bot: no guild, no member, a top-level `user`, context 1. */
  dm?: boolean;
  /**
   * Which guild (a sandbox started with SANDBOX_GUILDS has several): its id, or its index in
   * GET /sandbox's `guilds` (0 is the first). Default the first guild.
   */
  guild?: string | number;
}

export interface ClickRequest {
  user: string;
  messageId: string;
  customId: string;
}

const USER_NAME = /^[\w.-]{1,32}$/;
/** The control API's answer to a raw payload that keeps an id or token already in use. */
const HTTP_CONFLICT = 409;
/** A permission bit string: what Discord sends (up to 64 bits, as decimal text). */
const PERMISSION_BITS = /^\d{1,20}$/;
/** Interaction tokens start with base64("interaction"), as Discord's do. */
const TOKEN_PREFIX = 'aW50ZXJhY3Rpb24';

/** A slash command typed by `request.user` (created on first use). */
export function invokeCommand(
  world: SandboxWorld,
  store: InteractionStore,
  request: InvokeRequest,
): InteractionRecord {
  // As a person types it: "block", "/block", or a command and its subcommand ("classroom set").
  const [name = '', subcommand = null, ...more] = String(request.command ?? '')
    .replace(/^\//, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (!name) throw new InvocationError('"command" is required, e.g. "block"');
  if (more.length > 0) {
    throw new InvocationError('"command" is a command and at most one subcommand, e.g. "classroom set"');
  }
  checkUserName(request.user);
  const registered = world.findCommand(name);
  const validate = request.validate !== false;
  if (!registered && validate) {
    const known = [...world.guildCommands.values(), ...world.globalCommands.values()]
      .map((c) => `/${c.name}`)
      .join(', ');
    throw new InvocationError(
      `no command /${name} is registered${known ? ` (registered: ${known})` : ' (the bot has registered none yet)'}`,
      HttpStatus.NotFound,
    );
  }
  const raw = request.options ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvocationError('"options" must be an object, e.g. { "ms": 4000 }');
  }
  const access = accessOf(request, world);
  if (registered && validate) checkVisible(registered, access);
  const options =
    registered && validate ? checkedOptions(registered, raw, subcommand) : optionsAsGiven(raw, subcommand);
  if (!options.ok) throw new InvocationError(options.problem);
  const base = newIdentity(world, request.user, access);
  return store.create({
    ...base,
    type: InteractionType.ApplicationCommand,
    raw: false,
    command: subcommand ? `${name} ${subcommand}` : name,
    options: options.values,
    customId: null,
    sourceMessageId: null,
    ackedElsewhere: request.ackedElsewhere === true,
    payload: commandPayload(world, base, {
      id: registered?.id ?? world.ids.next(),
      name,
      guildId: registered?.guild_id,
      options: options.list,
    }),
  });
}

/** A press on an enabled button of a message the bot sent (in the guild, or in the user's own DM). */
export function pressButton(
  world: SandboxWorld,
  store: InteractionStore,
  request: ClickRequest,
): InteractionRecord {
  if (!request.user || !USER_NAME.test(request.user)) {
    throw new InvocationError('"user" is required, e.g. "alice"');
  }
  const message = world.messages.get(String(request.messageId ?? ''));
  if (!message || message.deleted) throw new InvocationError('no such message', HttpStatus.NotFound);
  const customId = String(request.customId ?? '');
  if (!hasEnabledButton(message, customId)) {
    throw new InvocationError('that message has no enabled button with this custom_id', HttpStatus.NotFound);
  }
  const guild = world.guildOfChannel(message.channelId);
  const inDm = guild === undefined;
  if (inDm && world.dmRecipientOf(message.channelId)?.username !== request.user.toLowerCase()) {
    throw new InvocationError('that message is in another user’s DM with the bot', HttpStatus.NotFound);
  }
  const base = newIdentity(
    world,
    request.user,
    inDm
      ? { dm: true }
      : { dm: false, permissions: SANDBOX_PERMISSIONS, teacher: false, guild: guild ?? undefined },
  );
  return store.create({
    ...base,
    type: InteractionType.MessageComponent,
    raw: false,
    command: null,
    options: {},
    customId: request.customId,
    sourceMessageId: message.id,
    ackedElsewhere: false,
    payload: buttonPayload(world, base, message, request.customId),
  });
}

/** The largest id or token a raw payload may keep as its own (Discord's are ~20 and ~200 characters). */
const MAX_KEPT_LENGTH = 500;

/**
 * A raw INTERACTION_CREATE, dispatched exactly as given (it may be malformed on purpose), except
 * that `id`, `token` and `application_id` are the sandbox's (a fresh snowflake at the sandbox clock,
 * a new token, the application), so the callback is tracked and the 3 s deadline enforced. With
 * `keep`, the payload's own are kept (and only missing ones filled); a kept id or token must be new.
 */
export function injectRaw(
  world: SandboxWorld,
  store: InteractionStore,
  body: unknown,
  keep = false,
): InteractionRecord {
  const createdAt = world.clock.now();
  let id = world.ids.next(createdAt);
  let token = randomToken(TOKEN_PREFIX);
  let payload: unknown = body;
  if (isObject(body)) {
    const given = { ...body };
    const own = (value: unknown) =>
      keep && typeof value === 'string' && value.length > 0 && value.length <= MAX_KEPT_LENGTH;
    if (own(given.id)) id = given.id as string;
    else if (!keep || given.id === undefined) given.id = id;
    if (own(given.token)) token = given.token as string;
    else if (!keep || given.token === undefined) given.token = token;
    if (!keep || given.application_id === undefined) given.application_id = world.applicationId;
    if (store.has(id, token)) {
      throw new InvocationError(`an interaction with this id or token exists already (${id})`, HTTP_CONFLICT);
    }
    payload = given;
  }
  const fields = isObject(payload) ? payload : {};
  const data = isObject(fields.data) ? fields.data : {};
  const message = isObject(fields.message) ? fields.message : {};
  const channelId = [fields.channel_id, isObject(fields.channel) ? fields.channel.id : undefined].find(
    (c): c is string => typeof c === 'string' && world.hasChannel(c),
  );
  const sourceMessage = typeof message.id === 'string' ? world.messages.get(message.id) : undefined;
  return store.create({
    id,
    token,
    createdAt,
    type: typeof fields.type === 'number' && Number.isFinite(fields.type) ? fields.type : -1,
    raw: true,
    context: fields.guild_id === undefined && fields.member === undefined ? 'dm' : 'guild',
    memberPermissions:
      isObject(fields.member) && typeof fields.member.permissions === 'string'
        ? fields.member.permissions
        : null,
    user: rawUser(fields),
    command: typeof data.name === 'string' ? data.name.slice(0, 100) : null,
    options: {},
    customId: typeof data.custom_id === 'string' ? data.custom_id.slice(0, 100) : null,
    sourceMessageId: sourceMessage ? sourceMessage.id : null,
    // Responses go where the payload says, if the sandbox knows that channel; else to #general.
    channelId: sourceMessage?.channelId ?? channelId ?? world.channelId,
    ackedElsewhere: false,
    payload: payload as InteractionRecord['payload'],
  });
}

/** Who a raw payload says acted, for the control API's views (nobody the sandbox knows: id "0"). */
function rawUser(fields: Record<string, unknown>): SandboxUser {
  const member = isObject(fields.member) ? fields.member : {};
  const user = [member.user, fields.user].find(isObject) ?? {};
  const id = typeof user.id === 'string' ? user.id.slice(0, 32) : '0';
  const username = typeof user.username === 'string' ? user.username.slice(0, 32) : '(raw)';
  return {
    id,
    username,
    discriminator: '0',
    global_name: null,
    avatar: null,
    public_flags: 0,
    flags: 0,
    primary_guild: null,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkUserName(user: unknown): void {
  if (!user || typeof user !== 'string') {
    throw new InvocationError('"user" is required, e.g. "alice"');
  }
  if (!USER_NAME.test(user)) {
    throw new InvocationError('"user" must be 1-32 letters, digits, "_", "." or "-"');
  }
}

type Access =
  | { dm: true }
  | { dm: false; permissions: string; teacher: boolean; guild?: SandboxGuild | undefined };

/** The guild a request names (id or index), or undefined for the first. */
function guildOf(world: SandboxWorld, wanted: unknown): SandboxGuild | undefined {
  if (wanted === undefined || wanted === null) return undefined;
  const found =
    typeof wanted === 'number' && Number.isInteger(wanted)
      ? world.guilds[wanted]
      : typeof wanted === 'string'
        ? world.guild(wanted)
        : undefined;
  if (!found) {
    throw new InvocationError(
      `"guild" must be one of the sandbox's guild ids (or an index 0-${world.guilds.length - 1}): ${world.guilds
        .map((g) => g.id)
        .join(', ')}`,
      HttpStatus.NotFound,
    );
  }
  return found;
}

/** Where the user acts and with which permissions, from `dm`, `permissions`, `teacher` and `guild`. */
function accessOf(request: InvokeRequest, world: SandboxWorld): Access {
  const { permissions, teacher, dm } = request;
  if (dm !== undefined && typeof dm !== 'boolean') throw new InvocationError('"dm" must be true or false');
  if (teacher !== undefined && typeof teacher !== 'boolean') {
    throw new InvocationError('"teacher" must be true or false');
  }
  if (permissions !== undefined && (typeof permissions !== 'string' || !PERMISSION_BITS.test(permissions))) {
    throw new InvocationError('"permissions" must be a permission bit string, e.g. "32" (Manage Server)');
  }
  if (dm) {
    if (permissions !== undefined || teacher || request.guild !== undefined) {
      throw new InvocationError('a DM has no guild and no member, so no "guild", "permissions" or "teacher"');
    }
    return { dm: true };
  }
  const guild = guildOf(world, request.guild);
  const bits = permissions === undefined ? BigInt(SANDBOX_PERMISSIONS) : BigInt(permissions);
  if (teacher) {
    return { dm: false, permissions: (bits | BigInt(TEACHER_PERMISSIONS)).toString(), teacher: true, guild };
  }
  return { dm: false, permissions: bits.toString(), teacher: false, guild };
}

/**
 * What Discord's client offers this user here: a guild command only in its guild, a command only
 * in its `contexts`, and (in a guild) only to members who hold its `default_member_permissions`.
 */
function checkVisible(command: APIApplicationCommand, access: Access): void {
  const anyway = 'send "validate":false to send it anyway';
  if (command.type !== undefined && command.type !== ApplicationCommandType.ChatInput) return;
  const context = access.dm ? InteractionContextType.BotDM : InteractionContextType.Guild;
  if (access.dm && command.guild_id) {
    throw new InvocationError(
      `/${command.name} is registered in the guild only: Discord offers a command in DMs only when it is registered globally (${anyway})`,
      HttpStatus.Forbidden,
    );
  }
  const contexts = command.contexts ?? null;
  if (contexts && !contexts.includes(context)) {
    throw new InvocationError(
      `/${command.name} is not offered ${access.dm ? 'in DMs' : 'in servers'} (its contexts: ${JSON.stringify(contexts)}; ${anyway})`,
      HttpStatus.Forbidden,
    );
  }
  const required = command.default_member_permissions;
  if (access.dm || typeof required !== 'string' || !PERMISSION_BITS.test(required)) return;
  const held = BigInt(access.permissions);
  const administrator = (held & PermissionFlagsBits.Administrator) !== 0n;
  const needed = BigInt(required);
  // "0": only administrators; otherwise every bit asked for.
  const allowed = administrator || (needed !== 0n && (held & needed) === needed);
  if (!allowed) {
    throw new InvocationError(
      `Discord shows /${command.name} only to members with permissions ${required} (default_member_permissions), which this member lacks: send "teacher":true or "permissions", or ${anyway}`,
      HttpStatus.Forbidden,
    );
  }
}

/** Who acts, where, and the new interaction's id (a snowflake of "now" on the sandbox clock) and token. */
function newIdentity(world: SandboxWorld, userName: string, access: Access) {
  if (!world.canAddUser(userName)) {
    throw new InvocationError(
      'the sandbox already has its maximum of users; reuse a name',
      HttpStatus.TooManyRequests,
    );
  }
  const user = world.userNamed(userName);
  const createdAt = world.clock.now();
  const place: Place = access.dm
    ? { dm: true, channelId: world.dmChannelFor(user) }
    : {
        dm: false,
        channelId: access.guild?.channelId ?? world.channelId,
        permissions: access.permissions,
        roles: access.teacher ? [access.guild?.teacherRoleId ?? world.teacherRoleId] : [],
      };
  return {
    id: world.ids.next(createdAt),
    token: randomToken(TOKEN_PREFIX),
    user,
    createdAt,
    place,
    channelId: place.channelId,
    context: place.dm ? ('dm' as const) : ('guild' as const),
    memberPermissions: place.dm ? null : place.permissions,
  };
}
