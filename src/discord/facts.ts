/**
 * The one place that knows Discord's numbers. Everything else imports from here.
 * Source: ../shared/discord-facts.md, checked against discord-api-types v10 and Discord's OpenAPI
 * spec by tests/discord-facts.test.ts (so bot, sandbox and tests cannot agree on a wrong number).
 */
import { PermissionFlagsBits, RESTJSONErrorCodes } from 'discord-api-types/v10';

/** Time Discord gives a bot to send the first response (callback) to an interaction. */
export const INITIAL_RESPONSE_DEADLINE_MS = 3_000;

/** How long an interaction token works on webhook routes (edit, follow-up). */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

/** Discord's epoch (2015-01-01T00:00:00Z): snowflake timestamps count from here. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

/** Default gateway heartbeat interval Discord sends in HELLO. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 41_250;

/** The REST API version LoopLab and the sandbox speak. */
export const API_VERSION = 10;

/** Sharding: a shard may hold at most 2 500 guilds (more: close 4011, sharding required). */
export const MAX_GUILDS_PER_SHARD = 2_500;
/** One IDENTIFY per rate-limit bucket (shard_id % max_concurrency) per 5 s. */
export const IDENTIFY_INTERVAL_MS = 5_000;
/** session_start_limit: 1 000 IDENTIFYs a day, max_concurrency 1 for most bots. */
export const SESSION_START_LIMIT_TOTAL = 1_000;
export const SESSION_START_LIMIT_RESET_MS = 86_400_000;
export const DEFAULT_MAX_CONCURRENCY = 1;
/** discord.js's ShardingManager waits this long between spawning two shards (its default). */
export const SHARD_SPAWN_DELAY_MS = 5_500;

/** The error codes LoopLab and its sandbox use, by their discord-api-types names where it has one. */
export const ErrorCode = {
  /** Code 0: a general error (e.g. 401 Unauthorized, 404 Not Found for an unknown route). */
  General: RESTJSONErrorCodes.GeneralError,
  UnknownApplication: RESTJSONErrorCodes.UnknownApplication,
  UnknownChannel: RESTJSONErrorCodes.UnknownChannel,
  UnknownGuild: RESTJSONErrorCodes.UnknownGuild,
  UnknownMessage: RESTJSONErrorCodes.UnknownMessage,
  UnknownWebhook: RESTJSONErrorCodes.UnknownWebhook,
  UnknownInteraction: RESTJSONErrorCodes.UnknownInteraction,
  UnknownApplicationCommand: RESTJSONErrorCodes.UnknownApplicationCommand,
  RequestEntityTooLarge: RESTJSONErrorCodes.RequestEntityTooLarge,
  InteractionAlreadyAcknowledged: RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
  InvalidWebhookToken: RESTJSONErrorCodes.InvalidWebhookToken,
  InvalidFormBody: RESTJSONErrorCodes.InvalidFormBodyOrContentType,
  InvalidJson: RESTJSONErrorCodes.RequestBodyContainsInvalidJSON,
  CannotSendEmptyMessage: RESTJSONErrorCodes.CannotSendAnEmptyMessage,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The message Discord sends with each code. */
export const ErrorMessage: Record<number, string> = {
  [ErrorCode.UnknownApplication]: 'Unknown Application',
  [ErrorCode.UnknownChannel]: 'Unknown Channel',
  [ErrorCode.UnknownGuild]: 'Unknown Guild',
  [ErrorCode.UnknownMessage]: 'Unknown Message',
  [ErrorCode.UnknownWebhook]: 'Unknown Webhook',
  [ErrorCode.UnknownInteraction]: 'Unknown interaction',
  [ErrorCode.UnknownApplicationCommand]: 'Unknown application command',
  [ErrorCode.RequestEntityTooLarge]: 'Request entity too large',
  [ErrorCode.InteractionAlreadyAcknowledged]: 'Interaction has already been acknowledged.',
  [ErrorCode.InvalidWebhookToken]: 'Invalid Webhook Token',
  [ErrorCode.InvalidFormBody]: 'Invalid Form Body',
  [ErrorCode.InvalidJson]: 'The request body contains invalid JSON.',
  [ErrorCode.CannotSendEmptyMessage]: 'Cannot send an empty message',
};

/** HTTP statuses Discord answers with (named, so a 429 reads as what it is). */
export const HttpStatus = {
  Ok: 200,
  Created: 201,
  NoContent: 204,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  PayloadTooLarge: 413,
  TooManyRequests: 429,
  InternalServerError: 500,
  BadGateway: 502,
  ServiceUnavailable: 503,
} as const;

/** Message flags LoopLab reads or sets. */
export const MessageFlag = {
  /** Only the invoking user sees it (1 << 6). */
  Ephemeral: 1 << 6,
  /** A deferred reply still "thinking…" (1 << 7). */
  Loading: 1 << 7,
} as const;

/** @deprecated alias kept for readability in older call sites: use MessageFlag.Ephemeral. */
export const EPHEMERAL_FLAG = MessageFlag.Ephemeral;

/** Interaction callback types (POST /interactions/{id}/{token}/callback). */
export const CallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredMessageUpdate: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
} as const;

export const MessageLimits = {
  content: 2_000,
  embeds: 10,
  embedTotalChars: 6_000,
  embedTitle: 256,
  embedDescription: 4_096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1_024,
  footerText: 2_048,
  /** Action rows per message, and components per row. */
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
} as const;

export const CommandLimits = {
  name: 32,
  description: 100,
  options: 25,
  choices: 25,
  choiceName: 100,
} as const;

/** Permission bits the bot asks for in its invite URL (only what it uses), and Manage Guild for teachers. */
export const Permission = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  ManageGuild: 1n << 5n,
} as const;

/** Chat-input commands one scope (global, or one guild) can hold: a bulk overwrite takes at most this many. */
export const MAX_COMMANDS_PER_SCOPE = 100;

/** GET /channels/{id}/messages: `limit` defaults to 50 and takes at most 100. */
export const MessageFetchLimit = { default: 50, max: 100 } as const;

/** The upload size limit an interaction payload announces (`attachment_size_limit`) in a guild without boosts. */
export const DEFAULT_ATTACHMENT_SIZE_LIMIT_BYTES = 10 * 1024 * 1024;

/** Where a command can be used (`contexts`): a guild, the bot's DM, other private channels. */
export const ContextType = { Guild: 0, BotDm: 1, PrivateChannel: 2 } as const;

/**
 * 5xx statuses Discord's API (or its edge) answers during an incident. @discordjs/rest retries each
 * (3 times by default) without waiting; Discord's own 500 body is `{"message":"500: Internal Server
 * Error","code":0}` (discord/discord-api-docs#5152).
 */
export const ServerErrorStatus = {
  InternalServerError: 500,
  BadGateway: 502,
  ServiceUnavailable: 503,
  GatewayTimeout: 504,
} as const;

/** X-RateLimit-Scope of a 429: the bot's own limit, every bot's global one, or a shared resource's. */
export const RateLimitScope = { User: 'user', Global: 'global', Shared: 'shared' } as const;
export type RateLimitScope = (typeof RateLimitScope)[keyof typeof RateLimitScope];

/**
 * `app_permissions` of an interaction in a DM with the bot user: Attach Files, Embed Links, Mention
 * Everyone and Use External Emojis (there is no guild, so no roles).
 */
export const BOT_DM_APP_PERMISSIONS = (
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.MentionEveryone |
  PermissionFlagsBits.UseExternalEmojis
).toString();

/** `authorizing_integration_owners` of a guild-installed app in its bot's DMs: key "0" → "0". */
export const BOT_DM_INTEGRATION_OWNER = '0';
