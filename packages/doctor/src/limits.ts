/**
 * Discord's two interaction windows, as plain numbers (no import, so the bounded histories that
 * use them load without discord.js). facts.ts re-exports them beside the error codes.
 */

/** The first response must reach Discord within this long of the interaction's creation. */
export const INITIAL_RESPONSE_DEADLINE_MS = 3_000;
/** How long an interaction token works for edits and follow-ups: 15 minutes. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

/**
 * A Discord API path without its secrets: the interaction or webhook token becomes ":token" (and,
 * with `ids`, every snowflake ":id"), so a path can be logged, recorded or shown.
 */
export function tokenlessPath(path: string, ids = false): string {
  const out = path.replace(/^(\/(?:interactions|webhooks)\/\d+\/)[^/?]+/, '$1:token');
  return ids ? out.replace(/\/\d{15,20}(?=[/?]|$)/g, '/:id') : out;
}
