import { MessageLimits } from '../discord/facts.js';

/** Custom ids LoopLab sends start with this and a version, so stale or foreign ids are recognised. */
export const CUSTOM_ID_PREFIX = 'll1';

/** `ll1:<handler>:<part>…`, the id a button carries (at most Discord's 100 characters). */
export function customId(handler: string, ...parts: string[]): string {
  const id = [CUSTOM_ID_PREFIX, handler, ...parts].join(':');
  if (id.length > MessageLimits.customId) throw new RangeError(`custom id too long: ${id}`);
  return id;
}

/** The handler and parts of one of our ids; null for a stale, foreign or malformed one. */
export function parseCustomId(id: unknown): { handler: string; parts: string[] } | null {
  // A custom id is text on Discord; anything else is forged.
  if (typeof id !== 'string') return null;
  const [prefix, handler, ...parts] = id.split(':');
  return prefix === CUSTOM_ID_PREFIX && handler ? { handler, parts } : null;
}
