import { DISCORD_EPOCH_MS } from './facts.js';

/** Creation time (ms since the Unix epoch) encoded in a snowflake id. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS;
}

/** Builds a snowflake whose timestamp is `timeMs`; `increment` keeps ids unique within a millisecond. */
export function makeSnowflake(timeMs: number, increment = 0, workerId = 1, processId = 0): string {
  const ms = BigInt(Math.max(0, Math.floor(timeMs) - DISCORD_EPOCH_MS));
  return (
    (ms << 22n) |
    (BigInt(workerId & 0x1f) << 17n) |
    (BigInt(processId & 0x1f) << 12n) |
    BigInt(increment & 0xfff)
  ).toString();
}
