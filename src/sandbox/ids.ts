import { randomBytes } from 'node:crypto';
import { makeSnowflake } from '../discord/snowflake.js';
import type { SandboxClock } from './clock.js';

/** Issues snowflakes whose timestamp is the sandbox clock's "now", unique even within one millisecond. */
export class SnowflakeFactory {
  #increment = 0;
  constructor(private readonly clock: SandboxClock) {}

  next(at = this.clock.now()): string {
    this.#increment = (this.#increment + 1) & 0xfff;
    return makeSnowflake(at, this.#increment);
  }
}

/** An opaque token like Discord's interaction tokens (long, URL-safe). */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(48).toString('base64url');
}

/** A bot token shaped like Discord's: base64(user id).timestamp.hmac. */
export function makeBotToken(userId: string): string {
  const head = Buffer.from(userId).toString('base64url');
  return `${head}.${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
}
