import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DISCORD_EPOCH_MS } from '../src/discord/facts.js';
import { makeSnowflake } from '../src/discord/snowflake.js';
import { ClockOffsetEstimator } from '../src/measure/clock-offset.js';
import { LoopDelayRecorder, summarise } from '../src/measure/loop-delay.js';
import { type Holder, MainThreadLedger } from '../src/measure/main-thread.js';
import { InteractionTrace } from '../src/measure/trace.js';

function busyWait(ms: number): number {
  const end = performance.now() + ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  return spins;
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('summarise', () => {
  it('is all zeros for no samples', () => {
    expect(summarise([])).toEqual({ samples: 0, p50: 0, p99: 0, max: 0, stalledMs: 0 });
  });

  it('sorts, picks percentiles and sums the stalls (>= 50 ms)', () => {
    const stats = summarise([300, 1, 49, 3, 2, 51, 4]);
    expect(stats.samples).toBe(7);
    expect(stats.p50).toBe(4);
    expect(stats.p99).toBe(300);
    expect(stats.max).toBe(300);
    expect(stats.stalledMs).toBe(351);
  });

  it('nearest-rank percentiles of 1..1000: p99 is the 990th value, p50 the 500th', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const stats = summarise(values);
    expect(stats.p99).toBe(990);
    expect(stats.p50).toBe(500);
    expect(stats.max).toBe(1000);
    expect(stats.stalledMs).toBe(((50 + 1000) * 951) / 2); // 50 + 51 + … + 1000
    expect(values[0]).toBe(1000); // not sorted in place
  });
});

describe('LoopDelayRecorder (recorded samples)', () => {
  const T = 1_700_000_000_000;

  it('returns the samples in a window, oldest first, ends included', () => {
    const recorder = new LoopDelayRecorder(10, 100);
    for (let i = 0; i < 10; i++) recorder.record(T + i * 10, i);
    expect(recorder.samples(T + 20, T + 50)).toEqual([
      { at: T + 20, delayMs: 2 },
      { at: T + 30, delayMs: 3 },
      { at: T + 40, delayMs: 4 },
      { at: T + 50, delayMs: 5 },
    ]);
    expect(recorder.samples(T + 1000, T + 2000)).toEqual([]);
  });

  it('keeps only the newest `capacity` samples once the ring wraps', () => {
    const recorder = new LoopDelayRecorder(10, 5);
    for (let i = 0; i < 12; i++) recorder.record(T + i, i);
    const all = recorder.samples(0, Number.POSITIVE_INFINITY);
    expect(all.map((s) => s.delayMs)).toEqual([7, 8, 9, 10, 11]);
    expect(all.map((s) => s.at)).toEqual([T + 7, T + 8, T + 9, T + 10, T + 11]);
  });

  it('summarises a window without a running timer (no pending delay)', () => {
    const recorder = new LoopDelayRecorder(10, 100);
    recorder.record(T, 1);
    recorder.record(T + 10, 2);
    recorder.record(T + 320, 300);
    recorder.record(T + 330, 1);
    recorder.record(T + 5000, 900);
    expect(recorder.pendingDelay()).toBe(0);
    // Nearest-rank percentiles: p50 of [1, 1, 2, 300] is the 2nd value.
    expect(recorder.stats(T, T + 400)).toEqual({ samples: 4, p50: 1, p99: 300, max: 300, stalledMs: 300 });
    expect(recorder.chartSamples(T, T + 15)).toEqual([
      { at: T, delayMs: 1 },
      { at: T + 10, delayMs: 2 },
    ]);
  });

  it('counts a stall still going on at the end of the window (recorded just after it)', () => {
    const recorder = new LoopDelayRecorder(10, 100);
    recorder.record(T, 1);
    recorder.record(T + 10, 1);
    // The loop was held from T + 20 to T + 520; the window ends at T + 200, during the stall.
    recorder.record(T + 520, 500);
    const stats = recorder.stats(T, T + 200);
    expect(stats.samples).toBe(3);
    expect(stats.p50).toBe(1);
    // At least the 180 ms of it inside the window; at most the whole 500 ms stall.
    expect(stats.max).toBeGreaterThanOrEqual(180);
    expect(stats.max).toBeLessThanOrEqual(500);
    expect(stats.stalledMs).toBe(stats.max);
    // A window that ends before the stall began does not see it.
    expect(recorder.stats(T, T + 15)).toEqual({ samples: 2, p50: 1, p99: 1, max: 1, stalledMs: 0 });
  });

  it('lists stalls that overlap a window with when they began', () => {
    const recorder = new LoopDelayRecorder(10, 100);
    recorder.record(T + 100, 5);
    recorder.record(T + 400, 300); // held T+100..T+400
    recorder.record(T + 410, 2);
    recorder.record(T + 2000, 60); // held T+1940..T+2000
    recorder.record(T + 3000, 49); // below the threshold
    expect(recorder.stalls(T, T + 500)).toEqual([{ start: T + 100, end: T + 400, ms: 300 }]);
    expect(recorder.stalls(T + 1900, T + 1950)).toEqual([{ start: T + 1940, end: T + 2000, ms: 60 }]);
    expect(recorder.stalls(T + 1900, T + 1930)).toEqual([]);
    expect(recorder.stalls(T, T + 5000, 10)).toHaveLength(3);
  });
});

describe('LoopDelayRecorder (real time)', () => {
  it('sees a 300 ms block on the main thread', async () => {
    const recorder = new LoopDelayRecorder(10);
    recorder.start();
    try {
      await sleep(40);
      const start = Date.now();
      busyWait(300);
      await sleep(30);
      const end = Date.now();
      const stats = recorder.stats(start, end);
      expect(stats.max).toBeGreaterThanOrEqual(250);
      expect(stats.max).toBeLessThan(1000);
      expect(stats.stalledMs).toBeGreaterThanOrEqual(250);
      expect(stats.samples).toBeGreaterThanOrEqual(2);
      const stalls = recorder.stalls(start, end);
      expect(stalls).toHaveLength(1);
      expect(stalls[0]!.ms).toBeGreaterThanOrEqual(250);
      // The quiet time before the block shows no stall.
      expect(recorder.stats(start - 35, start - 5).max).toBeLessThan(100);
    } finally {
      recorder.stop();
    }
  });

  it('pendingDelay() reports a block in progress, before the timer could fire', async () => {
    const recorder = new LoopDelayRecorder(10);
    expect(recorder.pendingDelay()).toBe(0);
    recorder.start();
    try {
      await sleep(30);
      const start = Date.now();
      busyWait(200);
      const pending = recorder.pendingDelay();
      expect(pending).toBeGreaterThanOrEqual(150);
      expect(pending).toBeLessThan(1000);
      // stats() and chartSamples() right after the work include it too.
      expect(recorder.stats(start, Date.now()).max).toBeGreaterThanOrEqual(150);
      expect(recorder.chartSamples(start, Date.now()).at(-1)!.delayMs).toBeGreaterThanOrEqual(150);
    } finally {
      recorder.stop();
    }
    expect(recorder.pendingDelay()).toBe(0);
  });
});

function holder(interactionId: string, user = 'alice'): Holder {
  return { interactionId, command: 'block', user, userId: `${user}-id`, label: `/block (${interactionId})` };
}

describe('MainThreadLedger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hold() runs the work, records the span and reports who holds the thread', () => {
    vi.useFakeTimers({ now: 1_800_000_000_000, toFake: ['Date'] });
    const ledger = new MainThreadLedger();
    const changes: Array<[string | null, number]> = [];
    ledger.onChange = (h, since) => changes.push([h?.interactionId ?? null, since]);
    const t0 = Date.now();
    const result = ledger.hold(holder('A'), () => {
      expect(ledger.current).toEqual({ holder: holder('A'), since: t0 });
      vi.setSystemTime(t0 + 250);
      return 42;
    });
    expect(result).toBe(42);
    expect(ledger.current).toBeNull();
    expect(changes).toEqual([
      ['A', t0],
      [null, t0 + 250],
    ]);
    expect(ledger.spans(t0 - 1000, t0 + 1000)).toEqual([{ ...holder('A'), start: t0, end: t0 + 250 }]);
    expect(ledger.heldBy('A')).toBe(250);
  });

  it('hold() records the span and clears the holder when the work throws', () => {
    vi.useFakeTimers({ now: 1_800_000_000_000, toFake: ['Date'] });
    const ledger = new MainThreadLedger();
    const t0 = Date.now();
    expect(() =>
      ledger.hold(holder('A'), () => {
        vi.setSystemTime(t0 + 80);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ledger.current).toBeNull();
    expect(ledger.heldBy('A')).toBe(80);
  });

  it('holds really measure the main thread', () => {
    const ledger = new MainThreadLedger();
    ledger.hold(holder('A'), () => busyWait(60));
    expect(ledger.heldBy('A')).toBeGreaterThanOrEqual(59);
    expect(ledger.heldBy('A')).toBeLessThan(500);
  });

  it('merges close slices of one interaction into spans of under 100 ms', () => {
    const T = Date.now();
    const ledger = new MainThreadLedger();
    ledger.add({ ...holder('A'), start: T - 1000, end: T - 990 });
    ledger.add({ ...holder('A'), start: T - 988, end: T - 950 }); // gap 2 ms: merged
    ledger.add({ ...holder('A'), start: T - 945, end: T - 930 }); // gap 5 ms: new span
    ledger.add({ ...holder('A'), start: T - 929, end: T - 840 }); // would make 105 ms: new span
    ledger.add({ ...holder('B'), start: T - 839, end: T - 830 }); // another interaction
    ledger.add({ ...holder('A'), start: T - 829, end: T - 820 }); // after B: new span
    const spans = ledger.spans(T - 2000, T);
    expect(spans.map((s) => [s.interactionId, s.start - T, s.end - T])).toEqual([
      ['A', -1000, -950],
      ['A', -945, -930],
      ['A', -929, -840],
      ['B', -839, -830],
      ['A', -829, -820],
    ]);
    expect(ledger.heldBy('A')).toBe(50 + 15 + 89 + 9);
    expect(ledger.heldBy('B')).toBe(9);
    expect(ledger.heldBy('nobody')).toBe(0);
  });

  it('spans() returns the spans overlapping a window (open ends)', () => {
    const T = Date.now();
    const ledger = new MainThreadLedger();
    ledger.add({ ...holder('A'), start: T - 500, end: T - 400 });
    ledger.add({ ...holder('B'), start: T - 300, end: T - 200 });
    expect(ledger.spans(T - 400, T - 300).map((s) => s.interactionId)).toEqual([]);
    expect(ledger.spans(T - 401, T - 299).map((s) => s.interactionId)).toEqual(['A', 'B']);
    expect(ledger.spans(T - 250, T).map((s) => s.interactionId)).toEqual(['B']);
  });

  it('blockersOf() sums the overlap per other interaction, longest first, above minMs', () => {
    const T = Date.now();
    const ledger = new MainThreadLedger();
    ledger.add({ ...holder('A', 'alice'), start: T - 5000, end: T - 4000 }); // mostly before the window
    ledger.add({ ...holder('B', 'bob'), start: T - 3900, end: T - 3850 });
    ledger.add({ ...holder('ME', 'me'), start: T - 3800, end: T - 3000 });
    ledger.add({ ...holder('B', 'bob'), start: T - 2900, end: T - 2850 });
    ledger.add({ ...holder('C', 'carol'), start: T - 2800, end: T - 2790 }); // 10 ms: below minMs
    const blockers = ledger.blockersOf('ME', T - 4200, T - 2000);
    expect(blockers).toEqual([
      { ...holder('A', 'alice'), heldMs: 200, start: T - 5000, end: T - 4000 },
      { ...holder('B', 'bob'), heldMs: 100, start: T - 3900, end: T - 2850 },
    ]);
    expect(ledger.blockersOf('ME', T - 4200, T - 2000, 5).map((b) => b.interactionId)).toEqual([
      'A',
      'B',
      'C',
    ]);
    expect(ledger.blockersOf('A', T - 4200, T - 2000).map((b) => [b.interactionId, b.heldMs])).toEqual([
      ['ME', 800],
      ['B', 100],
    ]);
  });

  it('forgets spans older than keepMs', () => {
    const T = Date.now();
    const ledger = new MainThreadLedger(1000);
    ledger.add({ ...holder('OLD'), start: T - 5000, end: T - 4900 });
    ledger.add({ ...holder('NEW'), start: T - 100, end: T - 50 });
    expect(ledger.spans(0, Number.POSITIVE_INFINITY).map((s) => s.interactionId)).toEqual(['NEW']);
    expect(ledger.heldBy('OLD')).toBe(0);
  });
});

describe('ClockOffsetEstimator', () => {
  const LOCAL_START = 1_750_000_000_000;

  /** Simulates REST calls against a server whose clock is `offset` ms ahead of ours. */
  function simulate(
    estimator: ClockOffsetEstimator,
    offset: number,
    count: number,
    rand: () => number,
    startAt: number,
    onSample?: () => void,
  ): number {
    let now = startAt;
    for (let i = 0; i < count; i++) {
      const sentAt = now;
      const rtt = 1 + rand() * 19;
      const answeredAt = sentAt + rand() * rtt; // when the server wrote its Date header
      const receivedAt = sentAt + rtt;
      const serverSecond = Math.floor((answeredAt + offset) / 1000) * 1000;
      estimator.addSample(new Date(serverSecond).toUTCString(), sentAt, receivedAt);
      onSample?.();
      now = receivedAt + 50 + rand() * 2000; // a random sub-second phase each time
    }
    return now;
  }

  it('knows nothing before the first sample', () => {
    const estimator = new ClockOffsetEstimator();
    expect(estimator.offsetMs).toBe(0);
    expect(estimator.uncertaintyMs).toBe(Number.POSITIVE_INFINITY);
    expect(estimator.samples).toBe(0);
  });

  it('one sample bounds the offset within about half a second', () => {
    const estimator = new ClockOffsetEstimator();
    // Server says 12:00:05 (somewhere in [5.000, 6.000)); we sent at 12:00:00.000 local and got it 20 ms later.
    const local = Date.parse('2025-06-01T12:00:00.000Z');
    estimator.addSample('Sun, 01 Jun 2025 12:00:05 GMT', local, local + 20);
    expect(estimator.samples).toBe(1);
    // offset in [5000 - 20, 6000 - 0] = [4980, 6000]
    expect(estimator.offsetMs).toBe(5490);
    expect(estimator.uncertaintyMs).toBe(510);
  });

  it('converges to a server clock 120.4 s ahead within ±50 ms, and stays honest on the way', () => {
    const OFFSET = 120_400;
    const rand = random(42);
    const estimator = new ClockOffsetEstimator();
    simulate(estimator, OFFSET, 200, rand, LOCAL_START, () => {
      // The true offset always lies in the estimate's interval.
      expect(Math.abs(estimator.offsetMs - OFFSET)).toBeLessThanOrEqual(estimator.uncertaintyMs + 1e-6);
    });
    expect(estimator.samples).toBe(200);
    expect(Math.abs(estimator.offsetMs - OFFSET)).toBeLessThanOrEqual(50);
    expect(estimator.uncertaintyMs).toBeLessThanOrEqual(50);
  });

  it.each([1, 2, 3, 4, 5])('converges for other random runs too (seed %i)', (seed) => {
    const OFFSET = -37_250;
    const estimator = new ClockOffsetEstimator();
    simulate(estimator, OFFSET, 150, random(seed), LOCAL_START + seed * 7_777);
    expect(Math.abs(estimator.offsetMs - OFFSET)).toBeLessThanOrEqual(50);
  });

  it('starts over after a clock step and converges to the new offset', () => {
    const rand = random(7);
    const estimator = new ClockOffsetEstimator();
    let now = simulate(estimator, 120_400, 150, rand, LOCAL_START);
    expect(Math.abs(estimator.offsetMs - 120_400)).toBeLessThanOrEqual(50);
    // Our clock is stepped 5 s forward by NTP: the server now looks 115.4 s ahead.
    now = simulate(estimator, 115_400, 1, rand, now);
    expect(estimator.samples).toBe(1);
    expect(Math.abs(estimator.offsetMs - 115_400)).toBeLessThanOrEqual(estimator.uncertaintyMs);
    expect(estimator.uncertaintyMs).toBeGreaterThan(400);
    simulate(estimator, 115_400, 150, rand, now);
    expect(Math.abs(estimator.offsetMs - 115_400)).toBeLessThanOrEqual(50);
  });

  it('correctionMs stays 0 while the headers are consistent with equal clocks', () => {
    const estimator = new ClockOffsetEstimator();
    expect(estimator.correctionMs).toBe(0);
    simulate(estimator, 0, 200, random(11), LOCAL_START, () => {
      expect(estimator.correctionMs).toBe(0);
    });
    expect(Math.abs(estimator.offsetMs)).toBeLessThanOrEqual(50);
  });

  it('correctionMs is the middle of the known interval once it excludes equal clocks', () => {
    const ahead = new ClockOffsetEstimator();
    simulate(ahead, 120_400, 200, random(12), LOCAL_START);
    expect(Math.abs(ahead.correctionMs - 120_400)).toBeLessThanOrEqual(50);
    const behind = new ClockOffsetEstimator();
    simulate(behind, -37_250, 200, random(13), LOCAL_START);
    expect(Math.abs(behind.correctionMs + 37_250)).toBeLessThanOrEqual(50);
    // One sample: the offset lies in [4980, 6000]: correct by the middle, 5490.
    const once = new ClockOffsetEstimator();
    const local = Date.parse('2025-06-01T12:00:00.000Z');
    once.addSample('Sun, 01 Jun 2025 12:00:05 GMT', local, local + 20);
    expect(once.correctionMs).toBe(5490);
    expect(once.uncertaintyMs).toBe(510);
  });

  it('ignores missing or unparseable Date headers and impossible timings', () => {
    const estimator = new ClockOffsetEstimator();
    estimator.addSample(null, 0, 10);
    estimator.addSample(undefined, 0, 10);
    estimator.addSample('', 0, 10);
    estimator.addSample('not a date', 0, 10);
    estimator.addSample('Sun, 01 Jun 2025 12:00:05 GMT', 100, 50);
    expect(estimator.samples).toBe(0);
    expect(estimator.offsetMs).toBe(0);
  });
});

describe('InteractionTrace', () => {
  it("dates creation from the snowflake, corrected by the server clock's offset", () => {
    const discordCreated = 1_750_000_123_456;
    const id = makeSnowflake(discordCreated, 7);
    const offset = 120_400; // Discord's clock is 120.4 s ahead of ours
    const localCreated = discordCreated - offset;
    const trace = new InteractionTrace(id, localCreated + 180, offset);
    expect(trace.interactionId).toBe(id);
    expect(trace.createdByDiscord).toBe(discordCreated);
    expect(trace.marks.created).toBe(localCreated);
    expect(trace.marks.received).toBe(localCreated + 180);
    expect(trace.ageOnArrival).toBe(180);
    expect(trace.age(localCreated + 3000)).toBe(3000);
  });

  it('defaults to no offset and marks moments', () => {
    const created = DISCORD_EPOCH_MS + 300_000_000_000;
    const trace = new InteractionTrace(makeSnowflake(created), created + 40);
    expect(trace.clockOffsetMs).toBe(0);
    expect(trace.marks.created).toBe(created);
    expect(trace.ageOnArrival).toBe(40);
    expect(trace.mark('ackSent', created + 100)).toBe(created + 100);
    expect(trace.marks.ackSent).toBe(created + 100);
    const before = Date.now();
    const at = trace.mark('workEnd');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(trace.marks.workEnd).toBe(at);
  });
});
