/**
 * The one place that knows Discord's numbers. Everything else imports from here.
 * Source: ../shared/discord-facts.md (checked against discord-api-types v10 and Discord's OpenAPI spec).
 */

/** Time Discord gives a bot to send the first response (callback) to an interaction. */
export const INITIAL_RESPONSE_DEADLINE_MS = 3_000;

/** How long an interaction token works on webhook routes (edit, follow-up). */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

/** Discord's epoch (2015-01-01T00:00:00Z): snowflake timestamps count from here. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

/** Default gateway heartbeat interval Discord sends in HELLO. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 41_250;

export const ErrorCode = {
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  InteractionAlreadyAcknowledged: 40060,
  InvalidWebhookToken: 50027,
  InvalidFormBody: 50035,
  Unauthorized: 0,
} as const;

export const ErrorMessage: Record<number, string> = {
  [ErrorCode.UnknownWebhook]: 'Unknown Webhook',
  [ErrorCode.UnknownInteraction]: 'Unknown interaction',
  [ErrorCode.InteractionAlreadyAcknowledged]: 'Interaction has already been acknowledged.',
  [ErrorCode.InvalidWebhookToken]: 'Invalid Webhook Token',
  [ErrorCode.InvalidFormBody]: 'Invalid Form Body',
};

/** Ephemeral message flag (1 << 6). */
export const EPHEMERAL_FLAG = 1 << 6;

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
} as const;

export const CommandLimits = {
  name: 32,
  description: 100,
  options: 25,
  choices: 25,
} as const;

/** Permission bits the bot asks for in its invite URL (only what it uses). */
export const Permission = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  ManageGuild: 1n << 5n,
} as const;
