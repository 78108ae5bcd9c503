/**
 * The few Discord numbers the doctor needs, taken from discord.js itself (its discord-api-types
 * error codes and its snowflake reader), so none is written here by hand. LoopLab keeps its own in
 * src/discord/facts.ts; tests/doctor-package.test.ts checks that the two agree.
 */
import { RESTJSONErrorCodes, SnowflakeUtil } from 'discord.js';

export const DiscordCode = {
  /** The first response came after the 3 s window. */
  UnknownInteraction: RESTJSONErrorCodes.UnknownInteraction,
  /** A second first response for the same interaction. */
  InteractionAlreadyAcknowledged: RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
  /** The token's 15 minutes are over. */
  InvalidWebhookToken: RESTJSONErrorCodes.InvalidWebhookToken,
} as const;

export { INITIAL_RESPONSE_DEADLINE_MS, INTERACTION_TOKEN_LIFETIME_MS, tokenlessPath } from './limits.js';

/** When Discord created a snowflake, by Discord's clock (ms since the Unix epoch). */
export function snowflakeTime(id: string): number {
  return SnowflakeUtil.timestampFrom(id);
}
