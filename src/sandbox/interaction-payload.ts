/**
 * The APIInteraction payloads Discord sends a bot (INTERACTION_CREATE), and the option list of a
 * slash command as Discord's client builds it from what the user typed.
 */
import type {
  APIApplicationCommand,
  APIApplicationCommandInteractionDataOption,
  APIInteraction,
} from 'discord-api-types/v10';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ComponentType,
  InteractionContextType,
  InteractionType,
} from 'discord-api-types/v10';
import {
  BOT_DM_APP_PERMISSIONS,
  BOT_DM_INTEGRATION_OWNER,
  DEFAULT_ATTACHMENT_SIZE_LIMIT_BYTES,
} from '../discord/facts.js';
import { type OptionValue, parseArgs } from '../discord/options.js';
import type { SandboxUser, StoredMessage } from './stored.js';
import { SANDBOX_PERMISSIONS, type SandboxWorld } from './world.js';

/** A slash command's options twice: by name (for the control API's views) and as Discord sends them. */
export interface CommandOptions {
  values: Record<string, OptionValue>;
  list: APIApplicationCommandInteractionDataOption[];
}

export type OptionsOutcome = ({ ok: true } & CommandOptions) | { ok: false; problem: string };

type DefinedOption = NonNullable<APIApplicationCommand['options']>[number];

/**
 * Checks what the user typed against the registered command the way Discord's client does before
 * it ever sends the interaction, with the one checker the bot uses too (src/discord/options.ts):
 * the sandbox refuses exactly what the bot would refuse. Typed mode, since a person types text.
 * With `subcommand` (`/classroom set`), the options are that subcommand's, sent inside it.
 */
export function checkedOptions(
  command: APIApplicationCommand,
  raw: Record<string, unknown>,
  subcommand: string | null = null,
): OptionsOutcome {
  const entries = Object.entries(raw).map(([name, value]) => ({ name, value }));
  const chosen = command.options?.find(
    (o) => o.type === ApplicationCommandOptionType.Subcommand && o.name === subcommand,
  );
  if (subcommand !== null && !chosen) {
    return { ok: false, problem: `\`/${command.name}\` has no subcommand \`${subcommand.slice(0, 50)}\`.` };
  }
  const given =
    subcommand === null
      ? entries
      : [{ name: subcommand, type: ApplicationCommandOptionType.Subcommand, options: entries }];
  const parsed = parseArgs(command, given, { typed: true });
  if (!parsed.ok) return parsed;
  const defined = (chosen ? (chosen as { options?: DefinedOption[] }).options : command.options) ?? [];
  const values: Record<string, OptionValue> = {};
  const list: APIApplicationCommandInteractionDataOption[] = [];
  for (const option of defined) {
    const value = parsed.args[option.name];
    if (value === undefined) continue;
    values[option.name] = value;
    list.push({ name: option.name, type: option.type, value } as APIApplicationCommandInteractionDataOption);
  }
  return { ok: true, values, list: inSubcommand(subcommand, list) };
}

/**
 * The options as given, unchecked: what a stale or hostile client sends (`validate: false`). Each
 * entry's type follows its JSON value, since there is no definition to follow.
 */
export function optionsAsGiven(
  raw: Record<string, unknown>,
  subcommand: string | null = null,
): OptionsOutcome {
  const values: Record<string, OptionValue> = {};
  const list: APIApplicationCommandInteractionDataOption[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'number') {
      const type = Number.isInteger(value)
        ? ApplicationCommandOptionType.Integer
        : ApplicationCommandOptionType.Number;
      list.push({ name, type, value } as APIApplicationCommandInteractionDataOption);
    } else if (typeof value === 'boolean') {
      list.push({ name, type: ApplicationCommandOptionType.Boolean, value });
    } else if (typeof value === 'string') {
      list.push({ name, type: ApplicationCommandOptionType.String, value });
    } else {
      return { ok: false, problem: `option "${name}" must be a string, number or boolean` };
    }
    values[name] = value;
  }
  return { ok: true, values, list: inSubcommand(subcommand, list) };
}

/** Discord sends a subcommand's options inside it: one option, of type Subcommand. */
function inSubcommand(
  subcommand: string | null,
  list: APIApplicationCommandInteractionDataOption[],
): APIApplicationCommandInteractionDataOption[] {
  if (subcommand === null) return list;
  return [
    { name: subcommand, type: ApplicationCommandOptionType.Subcommand, options: list },
  ] as APIApplicationCommandInteractionDataOption[];
}

/** Where an interaction happens: in the guild, as a member with these permissions and roles, or in the user's DM. */
export type Place =
  | { dm: false; channelId: string; permissions: string; roles: string[] }
  | { dm: true; channelId: string };

export interface PayloadBase {
  id: string;
  token: string;
  user: SandboxUser;
  place: Place;
}

/** INTERACTION_CREATE for a slash command (type 2, APPLICATION_COMMAND). */
export function commandPayload(
  world: SandboxWorld,
  base: PayloadBase,
  command: { id: string; name: string; guildId: string | undefined; options: CommandOptions['list'] },
): APIInteraction {
  return {
    ...commonFields(world, base),
    type: InteractionType.ApplicationCommand,
    data: {
      id: command.id,
      name: command.name,
      type: ApplicationCommandType.ChatInput,
      guild_id: command.guildId,
      options: command.options,
    },
  } as unknown as APIInteraction;
}

/** INTERACTION_CREATE for a button press (type 3, MESSAGE_COMPONENT) on one of the bot's messages. */
export function buttonPayload(
  world: SandboxWorld,
  base: PayloadBase,
  message: StoredMessage,
  customId: string,
): APIInteraction {
  return {
    ...commonFields(world, base),
    type: InteractionType.MessageComponent,
    message: world.messagePayload(message),
    data: { custom_id: customId, component_type: ComponentType.Button },
  } as unknown as APIInteraction;
}

/**
 * What every interaction carries (the fields the spec requires). In the guild: `guild_id`, the
 * `member` (the user is `member.user`) with its permissions. In a DM (APIDMInteraction): no guild and
 * no member, a top-level `user`, the DM channel, context 1 (BOT_DM) and the DM's app permissions.
 */
function commonFields(world: SandboxWorld, { id, token, user, place }: PayloadBase) {
  const common = {
    id,
    application_id: world.applicationId,
    token,
    // The interaction payload's version: always 1.
    version: 1,
    channel_id: place.channelId,
    locale: 'en-US',
    entitlements: [],
    attachment_size_limit: DEFAULT_ATTACHMENT_SIZE_LIMIT_BYTES,
  };
  if (place.dm) {
    return {
      ...common,
      channel: world.dmChannelPayload(place.channelId, user),
      user,
      app_permissions: BOT_DM_APP_PERMISSIONS,
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: BOT_DM_INTEGRATION_OWNER },
      context: InteractionContextType.BotDM,
    };
  }
  // The guild whose #general it is (a sandbox with SANDBOX_GUILDS has several); else the first.
  const guild = world.guildOfChannel(place.channelId) ?? world.guilds[0];
  const guildId = guild?.id ?? world.guildId;
  return {
    ...common,
    guild_id: guildId,
    guild: { id: guildId, locale: 'en-US', features: [] },
    channel: world.channelPayload(guild),
    member: { ...world.memberPayload(user, place.roles), permissions: place.permissions },
    app_permissions: SANDBOX_PERMISSIONS,
    guild_locale: 'en-US',
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guildId },
    context: InteractionContextType.Guild,
  };
}

/** True if the message has an enabled button with this custom id (what a user can press). */
export function hasEnabledButton(message: StoredMessage, customId: string): boolean {
  for (const row of message.components) {
    const children = (row as { components?: Array<{ type: number; custom_id?: string; disabled?: boolean }> })
      .components;
    for (const child of children ?? []) {
      if (child.type === ComponentType.Button && child.custom_id === customId && !child.disabled) return true;
    }
  }
  return false;
}
