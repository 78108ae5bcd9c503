import type {
  APIApplicationCommand,
  APIAttachment,
  APIChannel,
  APIGuild,
  APIGuildMember,
  APIMessage,
  APIMessageTopLevelComponent,
} from 'discord-api-types/v10';
import { ChannelType, MessageType } from 'discord-api-types/v10';
import {
  DEFAULT_MAX_CONCURRENCY,
  IDENTIFY_INTERVAL_MS,
  MAX_GUILDS_PER_SHARD,
  Permission,
  SESSION_START_LIMIT_RESET_MS,
  SESSION_START_LIMIT_TOTAL,
} from '../discord/facts.js';
import { snowflakeTime } from '../discord/snowflake.js';
import { BoundedMap, type Bounds } from '../lib/bounded.js';
import { ATTACHMENT_BOUNDS, CHANNEL_MESSAGE_BOUNDS, realNow, USER_BOUNDS } from './bounds.js';
import type { SandboxClock } from './clock.js';
import { SnowflakeFactory } from './ids.js';
import { MessageStore, type MessageStoreBounds } from './message-store.js';

import type { SandboxUser, StoredAttachment, StoredMessage } from './stored.js';

/**
 * What the sandbox grants everyone in its guild (and the bot): Discord's defaults for @everyone in a
 * new server, as the permission bit string Discord sends. No Manage Server, no Administrator.
 */
export const SANDBOX_PERMISSIONS = '2248473465835073';

/** A teacher: the members' permissions plus Manage Server (what `/classroom` asks for). */
export const TEACHER_PERMISSIONS = (BigInt(SANDBOX_PERMISSIONS) | Permission.ManageGuild).toString();

export interface SandboxWorldOptions {
  applicationName?: string;
  guildName?: string;
  channelName?: string;
  /** The shard count GET /gateway/bot recommends (SANDBOX_SHARDS); default 1. */
  shards?: number;
  /** How many guilds the bot is in, each with its own #general (SANDBOX_GUILDS); default 1. */
  guilds?: number;
  /** session_start_limit.max_concurrency: identify buckets (shard_id % it); default Discord's 1. */
  maxConcurrency?: number;
  /**
   * One IDENTIFY per bucket per this long, else op 9 INVALID_SESSION (Discord: 5 s). Default 5 s
   * with more than one shard; a one-shard sandbox does not throttle (quick restarts in tests).
   */
  identifyIntervalMs?: number;
  /** A shard may hold at most this many guilds, else IDENTIFY closes with 4011 (Discord: 2 500). */
  maxGuildsPerShard?: number;
}

/** One guild of the sandbox: its id, its text channel and its Teacher role. */
export interface SandboxGuild {
  id: string;
  name: string;
  channelId: string;
  channelName: string;
  teacherRoleId: string;
}

/** The most guilds a sandbox hosts: enough to show sharding, never a memory sink. */
export const MAX_SANDBOX_GUILDS = 64;
/** The largest shard count the sandbox recommends. */
export const MAX_SANDBOX_SHARDS = 16;

/** The shard a guild's events go to: `(guild_id >> 22) % shards` (DMs, no guild: shard 0). */
export function shardOf(guildId: string | null | undefined, shards: number): number {
  if (!guildId || !/^\d{1,20}$/.test(guildId) || shards <= 1) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(shards));
}

/** Bounds of the world's stores; tests shrink them. */
export interface WorldBounds extends MessageStoreBounds {
  users: Bounds;
}

/**
 * The sandbox's world: one application with its bot user, one guild with a text channel, the
 * users who invoked commands (created on first use), registered commands and messages.
 */
export class SandboxWorld {
  readonly ids: SnowflakeFactory;
  readonly applicationId: string;
  readonly applicationName: string;
  readonly bot: SandboxUser;
  readonly owner: SandboxUser;
  readonly guildId: string;
  readonly guildName: string;
  readonly channelId: string;
  readonly channelName: string;
  /** The role a `"teacher": true` invocation gives its member: Manage Server. */
  readonly teacherRoleId: string;
  readonly createdAt: number;
  /** Every guild, the first being `guildId` (the only one unless SANDBOX_GUILDS is more). */
  readonly guilds: readonly SandboxGuild[];
  /** The shard count GET /gateway/bot recommends. */
  readonly shardCount: number;
  readonly maxConcurrency: number;
  readonly identifyIntervalMs: number;
  readonly maxGuildsPerShard: number;
  /** IDENTIFYs left today (session_start_limit.remaining); each IDENTIFY spends one. */
  sessionStartsRemaining = SESSION_START_LIMIT_TOTAL;
  /** By lower-case name; each use moves a user to the newest end, so only the idle are forgotten. */
  readonly users: BoundedMap<string, SandboxUser>;
  // Registered commands are configuration, not history: Discord caps them (100 per bulk overwrite).
  readonly globalCommands = new Map<string, APIApplicationCommand>();
  readonly guildCommands = new Map<string, APIApplicationCommand>();
  readonly messages: MessageStore;
  /** Each user's DM channel with the bot, by user id (opened on their first DM). */
  readonly #dmChannels: BoundedMap<string, { channelId: string; user: SandboxUser }>;
  readonly #dmChannelUsers: BoundedMap<string, SandboxUser>;

  constructor(
    readonly clock: SandboxClock,
    options: SandboxWorldOptions = {},
    bounds: Partial<WorldBounds> = {},
    now: () => number = realNow,
  ) {
    this.ids = new SnowflakeFactory(clock);
    this.createdAt = clock.now();
    this.applicationId = this.ids.next();
    this.applicationName = options.applicationName ?? 'LoopLab';
    this.bot = makeUser(this.applicationId, this.applicationName, true);
    this.owner = makeUser(this.ids.next(), 'sandbox-owner', false);
    this.guildId = this.ids.next();
    this.guildName = options.guildName ?? 'LoopLab Sandbox';
    this.channelId = this.ids.next();
    this.channelName = options.channelName ?? 'general';
    this.teacherRoleId = this.ids.next();
    this.shardCount = clampInt(options.shards, 1, MAX_SANDBOX_SHARDS);
    this.maxConcurrency = clampInt(options.maxConcurrency, DEFAULT_MAX_CONCURRENCY, MAX_SANDBOX_SHARDS);
    this.identifyIntervalMs = Math.max(
      0,
      options.identifyIntervalMs ?? (this.shardCount > 1 ? IDENTIFY_INTERVAL_MS : 0),
    );
    this.maxGuildsPerShard = clampInt(options.maxGuildsPerShard, MAX_GUILDS_PER_SHARD, MAX_GUILDS_PER_SHARD);
    const first: SandboxGuild = {
      id: this.guildId,
      name: this.guildName,
      channelId: this.channelId,
      channelName: this.channelName,
      teacherRoleId: this.teacherRoleId,
    };
    const guilds = [first];
    const count = clampInt(options.guilds, 1, MAX_SANDBOX_GUILDS);
    const firstAt = snowflakeTime(this.guildId);
    for (let i = 1; i < count; i++) {
      // One millisecond earlier per guild: (id >> 22) % shards then deals them out round-robin.
      guilds.push({
        id: this.ids.next(firstAt - i),
        name: `${this.guildName} ${i + 1}`,
        channelId: this.ids.next(),
        channelName: this.channelName,
        teacherRoleId: this.ids.next(),
      });
    }
    this.guilds = guilds;
    const userBounds = bounds.users ?? USER_BOUNDS;
    this.users = new BoundedMap(userBounds, now);
    this.#dmChannels = new BoundedMap(userBounds, now);
    this.#dmChannelUsers = new BoundedMap(userBounds, now);
    this.messages = new MessageStore(
      guilds.map((g) => g.channelId),
      {
        messages: bounds.messages ?? CHANNEL_MESSAGE_BOUNDS,
        attachments: bounds.attachments ?? ATTACHMENT_BOUNDS,
        dmChannels: userBounds,
      },
      now,
    );
  }

  /** The guild with this id (undefined if the sandbox has none). */
  guild(guildId: string): SandboxGuild | undefined {
    return this.guilds.find((g) => g.id === guildId);
  }

  /** The guild whose #general `channelId` is (undefined for a DM or an unknown channel). */
  guildOfChannel(channelId: string): SandboxGuild | undefined {
    return this.guilds.find((g) => g.channelId === channelId);
  }

  /** The guilds whose events go to shard `shardId` of `shardCount`. */
  guildsOfShard(shardId: number, shardCount: number): SandboxGuild[] {
    return this.guilds.filter((g) => shardOf(g.id, shardCount) === shardId);
  }

  /** GET /gateway/bot's `session_start_limit`. */
  sessionStartLimit() {
    return {
      total: SESSION_START_LIMIT_TOTAL,
      remaining: this.sessionStartsRemaining,
      reset_after: SESSION_START_LIMIT_RESET_MS,
      max_concurrency: this.maxConcurrency,
    };
  }

  /** The DM channel between `user` and the bot, opened on first use (as Discord opens one). */
  dmChannelFor(user: SandboxUser): string {
    const channelId = this.#dmChannels.get(user.id)?.channelId ?? this.ids.next();
    this.#dmChannels.set(user.id, { channelId, user });
    this.#dmChannelUsers.set(channelId, user);
    this.messages.openDmChannel(channelId);
    return channelId;
  }

  /** The user whose DM with the bot `channelId` is (undefined for the guild's channel). */
  dmRecipientOf(channelId: string): SandboxUser | undefined {
    return this.#dmChannelUsers.get(channelId);
  }

  /** The channel object Discord shows for `channelId`: the guild's text channel or a DM. */
  channelPayloadFor(channelId: string): APIChannel {
    const guild = this.guildOfChannel(channelId);
    const recipient = guild ? undefined : this.#dmChannelUsers.get(channelId);
    return recipient ? this.dmChannelPayload(channelId, recipient) : this.channelPayload(guild);
  }

  /** A DM channel as Discord describes it (REST and an interaction's `channel`). */
  dmChannelPayload(channelId: string, recipient: SandboxUser): APIChannel {
    return {
      id: channelId,
      type: ChannelType.DM,
      last_message_id: null,
      flags: 0,
      recipients: [recipient],
    } as unknown as APIChannel;
  }

  /** Users are created on first use, by name, as a classroom would join. */
  userNamed(name: string): SandboxUser {
    const key = name.toLowerCase();
    const user = this.users.get(key) ?? makeUser(this.ids.next(), key, false);
    this.users.set(key, user);
    return user;
  }

  /** The users who acted recently, oldest first. */
  knownUsers(): SandboxUser[] {
    this.users.prune();
    return this.users.values();
  }

  hasChannel(channelId: string): boolean {
    return this.messages.hasChannel(channelId);
  }

  commandsFor(guildId: string | null): Map<string, APIApplicationCommand> {
    return guildId ? this.guildCommands : this.globalCommands;
  }

  /** What a user sees in the guild: guild commands first (they win on name clashes), then global ones. */
  findCommand(name: string): APIApplicationCommand | undefined {
    for (const command of [...this.guildCommands.values(), ...this.globalCommands.values()]) {
      if (command.name === name) return command;
    }
    return undefined;
  }

  addMessage(message: StoredMessage): StoredMessage {
    return this.messages.add(message);
  }

  /** False when `name` would be a new user beyond the cap (the sandbox refuses rather than evicts). */
  canAddUser(name: string): boolean {
    this.users.prune();
    return this.users.has(name.toLowerCase()) || this.users.size < this.users.bounds.maxEntries;
  }

  guildPayload(guild: SandboxGuild = this.guilds[0] as SandboxGuild): APIGuild & Record<string, unknown> {
    const now = new Date(this.createdAt).toISOString();
    const everyone = {
      id: guild.id,
      name: '@everyone',
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: 0,
      permissions: SANDBOX_PERMISSIONS,
      managed: false,
      mentionable: false,
      flags: 0,
    };
    const teacher = {
      ...everyone,
      id: guild.teacherRoleId,
      name: 'Teacher',
      position: 1,
      permissions: Permission.ManageGuild.toString(),
      mentionable: true,
    };
    const members = [this.bot, ...this.knownUsers()].map((user) => this.memberPayload(user));
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.owner.id,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [everyone, teacher],
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.channelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      region: 'deprecated',
      // GUILD_CREATE extras
      joined_at: now,
      large: false,
      unavailable: false,
      member_count: members.length,
      voice_states: [],
      members,
      channels: [this.channelPayload(guild)],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    } as unknown as APIGuild & Record<string, unknown>;
  }

  channelPayload(guild: SandboxGuild = this.guilds[0] as SandboxGuild): APIChannel {
    return {
      id: guild.channelId,
      type: ChannelType.GuildText,
      guild_id: guild.id,
      name: guild.channelName,
      position: 0,
      permission_overwrites: [],
      parent_id: null,
      topic: 'Try /block and /nonblock here',
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    } as unknown as APIChannel;
  }

  memberPayload(user: SandboxUser, roles: string[] = []): APIGuildMember {
    return {
      user,
      nick: null,
      avatar: null,
      banner: null,
      roles,
      joined_at: new Date(this.createdAt).toISOString(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    } as unknown as APIGuildMember;
  }

  messagePayload(message: StoredMessage): APIMessage {
    const payload: Record<string, unknown> = {
      id: message.id,
      type: message.interactionId ? MessageType.ChatInputCommand : MessageType.Default,
      channel_id: message.channelId,
      author: message.author,
      content: message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
      tts: false,
      mention_everyone: false,
      mentions: message.mentions,
      mention_roles: [],
      attachments: message.attachments.map((a) => this.attachmentPayload(a)),
      embeds: message.embeds.map((e) => ({ type: 'rich', ...e })),
      components: withComponentIds(message.components),
      pinned: false,
      flags: message.flags,
    };
    if (message.webhookId) {
      payload.webhook_id = message.webhookId;
      payload.application_id = this.applicationId;
    }
    return payload as unknown as APIMessage;
  }

  attachmentUrl(attachment: StoredAttachment): string {
    return `${this.baseUrl}/sandbox/attachments/${attachment.id}/${encodeURIComponent(attachment.filename)}`;
  }

  attachmentPayload(attachment: StoredAttachment): APIAttachment {
    const url = this.attachmentUrl(attachment);
    return {
      id: attachment.id,
      filename: attachment.filename,
      size: attachment.data.length,
      url,
      proxy_url: url,
      content_type: attachment.contentType,
    };
  }

  /** Set by the server once it listens, so attachment URLs point back at it. */
  baseUrl = 'http://127.0.0.1';
}

function clampInt(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(value)));
}

export function makeUser(id: string, username: string, bot: boolean): SandboxUser {
  const user: SandboxUser = {
    id,
    username,
    discriminator: bot ? '0000' : '0',
    global_name: bot ? null : username.charAt(0).toUpperCase() + username.slice(1),
    avatar: null,
    public_flags: 0,
    flags: 0,
    primary_guild: null,
  };
  if (bot) user.bot = true;
  return user;
}

/** Discord numbers every component of a sent message (rows included), starting at 1. */
function withComponentIds(components: readonly APIMessageTopLevelComponent[]): unknown[] {
  let next = 1;
  const number = (component: Record<string, unknown>): Record<string, unknown> => {
    const copy: Record<string, unknown> = { id: next++, ...component };
    if (Array.isArray(component.components)) {
      copy.components = (component.components as Record<string, unknown>[]).map(number);
    }
    return copy;
  };
  return components.map((c) => number(c as unknown as Record<string, unknown>));
}
