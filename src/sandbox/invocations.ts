/**
 * What a user does in the sandbox's guild: send a slash command or press a button. Each is checked
 * the way Discord's client checks it before anything reaches the bot, then becomes an interaction.
 */
import { InteractionType } from 'discord-api-types/v10';
import { HttpStatus } from '../discord/facts.js';
import { randomToken } from './ids.js';
import {
  buttonPayload,
  checkedOptions,
  commandPayload,
  hasEnabledButton,
  optionsAsGiven,
} from './interaction-payload.js';
import type { InteractionRecord, InteractionStore } from './interaction-store.js';
import type { SandboxWorld } from './world.js';

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
}

export interface ClickRequest {
  user: string;
  messageId: string;
  customId: string;
}

const USER_NAME = /^[\w.-]{1,32}$/;
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
  if (!request.user || typeof request.user !== 'string') {
    throw new InvocationError('"user" is required, e.g. "alice"');
  }
  if (!USER_NAME.test(request.user)) {
    throw new InvocationError('"user" must be 1-32 letters, digits, "_", "." or "-"');
  }
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
  const options =
    registered && validate ? checkedOptions(registered, raw, subcommand) : optionsAsGiven(raw, subcommand);
  if (!options.ok) throw new InvocationError(options.problem);
  const base = newIdentity(world, request.user);
  return store.create({
    ...base,
    type: InteractionType.ApplicationCommand,
    command: subcommand ? `${name} ${subcommand}` : name,
    options: options.values,
    customId: null,
    sourceMessageId: null,
    channelId: world.channelId,
    ackedElsewhere: request.ackedElsewhere === true,
    payload: commandPayload(world, base, {
      id: registered?.id ?? world.ids.next(),
      name,
      guildId: registered?.guild_id,
      options: options.list,
    }),
  });
}

/** A press on an enabled button of a message the bot sent. */
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
  const base = newIdentity(world, request.user);
  return store.create({
    ...base,
    type: InteractionType.MessageComponent,
    command: null,
    options: {},
    customId: request.customId,
    sourceMessageId: message.id,
    channelId: message.channelId,
    ackedElsewhere: false,
    payload: buttonPayload(world, base, message, request.customId),
  });
}

/** Who acts, and the new interaction's id (a snowflake of "now" on the sandbox clock) and token. */
function newIdentity(world: SandboxWorld, userName: string) {
  if (!world.canAddUser(userName)) {
    throw new InvocationError(
      'the sandbox already has its maximum of users; reuse a name',
      HttpStatus.TooManyRequests,
    );
  }
  const user = world.userNamed(userName);
  const createdAt = world.clock.now();
  return { id: world.ids.next(createdAt), token: randomToken(TOKEN_PREFIX), user, createdAt };
}
