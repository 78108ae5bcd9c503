import { describe, expect, it } from 'vitest';
import { ClassroomPolicy } from '../src/classroom/policy.js';
import { resolveSettings } from '../src/classroom/settings.js';
import { loadConfig } from '../src/config/env.js';
import { HISTORY_MS, historyBounds } from '../src/measure/history.js';
import { LoopDelayRecorder } from '../src/measure/loop-delay.js';
import { MainThreadLedger } from '../src/measure/main-thread.js';
import { Measurements } from '../src/measure/measurements.js';

/** Every in-memory history is bounded by the same horizon and by a count, whatever is thrown at it. */
const T = 1_800_000_000_000;

describe('bounded histories', () => {
  it('agree on one horizon: the 15-minute token lifetime plus a minute', () => {
    expect(HISTORY_MS).toBe(16 * 60_000);
    // A 10 ms recorder keeps the whole horizon (with 10 % slack), not two minutes of it.
    expect(historyBounds({ everyMs: 10 })).toEqual({ keepMs: HISTORY_MS, maxEntries: 105_600 });
  });

  it('the loop-delay recorder keeps the horizon, then forgets by age', () => {
    const recorder = new LoopDelayRecorder(10);
    for (let i = 0; i <= 17 * 60 * 100; i++) recorder.record(T + i * 10, 1);
    const newest = T + 17 * 60 * 1_000;
    expect(recorder.size).toBe(HISTORY_MS / 10 + 1);
    expect(recorder.samples(0, Number.POSITIVE_INFINITY)[0]!.at).toBe(newest - HISTORY_MS);
  });

  it('the loop-delay recorder stops at its count even when samples come faster than planned', () => {
    const recorder = new LoopDelayRecorder(10);
    for (let i = 0; i < 250_000; i++) recorder.record(T + i, 0);
    expect(recorder.size).toBe(historyBounds({ everyMs: 10 }).maxEntries);
  });

  it('the ledger keeps at most 10 000 spans, the newest', () => {
    const ledger = new MainThreadLedger();
    const holder = (i: number) => ({
      interactionId: `i${i}`,
      command: 'block',
      user: 'u',
      userId: '1',
      label: '/block',
    });
    for (let i = 0; i < 12_000; i++) ledger.add({ ...holder(i), start: T + i * 10, end: T + i * 10 + 5 });
    expect(ledger.size).toBe(10_000);
    expect(ledger.spans(0, Number.POSITIVE_INFINITY)[0]!.interactionId).toBe('i2000');
  });

  it('the accepted-answers log keeps at most 10 000', () => {
    const m = new Measurements();
    for (let i = 0; i < 15_000; i++) m.recordAck(`i${i}`, T + i);
    expect(m.sizes().acks).toBe(10_000);
    expect(m.acksBetween(T, T + 5_000)).toHaveLength(1);
  });

  it("the classroom policy's memory of people stays bounded under a crowd", () => {
    const policy = new ClassroomPolicy();
    const settings = resolveSettings(loadConfig({ POOL_SIZE: '1', COOLDOWN_MS: '3600000' }, false), {});
    for (let i = 0; i < 12_000; i++) {
      const a = policy.admit(
        { guildId: `g${i}`, userId: `u${i}`, userName: `u${i}`, label: '/io', mainThreadMs: 0 },
        settings,
        T + i,
      );
      if (a.ok) policy.finish(a.ticket, T + i);
    }
    // The oldest people were forgotten (the bound), so the first one is admitted again.
    const first = policy.admit(
      { guildId: 'g0', userId: 'u0', userName: 'u0', label: '/io', mainThreadMs: 0 },
      settings,
      T + 12_001,
    );
    expect(first.ok).toBe(true);
    const recent = policy.admit(
      { guildId: 'g11999', userId: 'u11999', userName: 'u11999', label: '/io', mainThreadMs: 0 },
      settings,
      T + 12_002,
    );
    expect(recent.ok).toBe(false);
  });
});
