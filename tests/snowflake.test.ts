import { describe, expect, it } from 'vitest';
import { DISCORD_EPOCH_MS } from '../src/discord/facts.js';
import { makeSnowflake, snowflakeTime } from '../src/discord/snowflake.js';

describe('snowflakeTime', () => {
  it('reads the creation time of real Discord ids', () => {
    // The example from Discord's docs (Reference → Snowflakes): 2016-04-30T11:18:25.796Z.
    expect(snowflakeTime('175928847299117063')).toBe(1_462_015_105_796);
    expect(new Date(snowflakeTime('175928847299117063')).toISOString()).toBe('2016-04-30T11:18:25.796Z');
    // Discord's epoch itself.
    expect(snowflakeTime('0')).toBe(DISCORD_EPOCH_MS);
    expect(DISCORD_EPOCH_MS).toBe(Date.parse('2015-01-01T00:00:00.000Z'));
  });

  it('ignores the worker, process and increment bits', () => {
    const base = (BigInt('175928847299117063') >> 22n) << 22n;
    expect(snowflakeTime(base.toString())).toBe(1_462_015_105_796);
    expect(snowflakeTime((base | 0x3fffffn).toString())).toBe(1_462_015_105_796);
  });
});

describe('makeSnowflake', () => {
  it.each([
    DISCORD_EPOCH_MS,
    DISCORD_EPOCH_MS + 1,
    1_462_015_105_796,
    1_700_000_000_000,
    Date.parse('2026-11-25T02:05:48.123Z'),
    Date.parse('2090-01-01T00:00:00.000Z'),
  ])('round-trips %i', (time) => {
    const id = makeSnowflake(time);
    expect(id).toMatch(/^\d+$/);
    expect(snowflakeTime(id)).toBe(time);
  });

  it('rebuilds the real id from its parts', () => {
    // 175928847299117063: worker 1, process 0, increment 7.
    expect(makeSnowflake(1_462_015_105_796, 7, 1, 0)).toBe('175928847299117063');
  });

  it('truncates fractional ms and clamps times before the epoch', () => {
    expect(snowflakeTime(makeSnowflake(1_700_000_000_000.9))).toBe(1_700_000_000_000);
    expect(snowflakeTime(makeSnowflake(0))).toBe(DISCORD_EPOCH_MS);
  });

  it('makes distinct ids within one millisecond, in increment order', () => {
    const time = 1_700_000_000_000;
    const ids = Array.from({ length: 4096 }, (_, i) => makeSnowflake(time, i));
    expect(new Set(ids).size).toBe(4096);
    for (let i = 1; i < ids.length; i++) expect(BigInt(ids[i]!)).toBeGreaterThan(BigInt(ids[i - 1]!));
    expect(ids.every((id) => snowflakeTime(id) === time)).toBe(true);
    expect(makeSnowflake(time, 1, 2, 3)).not.toBe(makeSnowflake(time, 1, 2, 4));
    expect(makeSnowflake(time, 1, 2, 3)).not.toBe(makeSnowflake(time, 1, 3, 3));
  });

  it('orders ids by time: a later id is always numerically greater', () => {
    const times = [
      DISCORD_EPOCH_MS + 5,
      1_462_015_105_796,
      1_600_000_000_000,
      1_600_000_000_001,
      1_750_000_000_000,
    ];
    const ids = times.map((t) => makeSnowflake(t, 4095, 31, 31));
    const later = times.map((t) => makeSnowflake(t + 1, 0, 0, 0));
    for (let i = 0; i < ids.length; i++) {
      // Even the largest id of one ms sorts before the smallest id of the next.
      expect(BigInt(later[i]!)).toBeGreaterThan(BigInt(ids[i]!));
      if (i > 0) expect(BigInt(ids[i]!)).toBeGreaterThan(BigInt(ids[i - 1]!));
    }
    const shuffled = [ids[3]!, ids[0]!, ids[4]!, ids[2]!, ids[1]!];
    const sorted = [...shuffled].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(sorted.map(snowflakeTime)).toEqual(times);
  });
});
