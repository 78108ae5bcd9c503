import { describe, expect, it } from 'vitest';
import { BoundedMap, TimeWindow } from '../src/lib/bounded.js';

describe('TimeWindow', () => {
  it('keeps at most maxEntries, dropping the oldest', () => {
    let now = 1_000;
    const w = new TimeWindow<number>({ keepMs: 60_000, maxEntries: 3 }, () => now);
    for (let i = 0; i < 5; i++) w.push(now++, i);
    expect(w.size).toBe(3);
    expect(w.values()).toEqual([2, 3, 4]);
  });

  it('drops entries older than keepMs when it is pushed to or pruned', () => {
    let now = 0;
    const w = new TimeWindow<string>({ keepMs: 100, maxEntries: 10 }, () => now);
    w.push(0, 'a');
    w.push(50, 'b');
    now = 149;
    w.push(149, 'c');
    expect(w.values()).toEqual(['b', 'c']);
    now = 1_000;
    w.prune();
    expect(w.size).toBe(0);
  });

  it('answers a time range with binary search across the ring seam', () => {
    const w = new TimeWindow<number>({ keepMs: 1e9, maxEntries: 4 }, () => 10);
    for (const t of [1, 2, 3, 4, 5, 6]) w.push(t, t * 10);
    expect(w.between(4, 5)).toEqual([40, 50]);
    expect(w.between(0, 3.5)).toEqual([30]);
    expect(w.between(7)).toEqual([]);
  });

  it('stamps an out-of-order time as the newest one, so ranges stay sorted', () => {
    const w = new TimeWindow<string>({ keepMs: 1e9, maxEntries: 4 }, () => 0);
    w.push(10, 'a');
    w.push(5, 'b');
    expect(w.last()).toEqual({ at: 10, item: 'b' });
    expect(w.between(10, 10)).toEqual(['a', 'b']);
  });

  it('refuses a zero capacity', () => {
    expect(() => new TimeWindow({ keepMs: 1, maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

describe('BoundedMap', () => {
  it('caps the count and the age of its keys', () => {
    let now = 0;
    const m = new BoundedMap<string, number>({ keepMs: 100, maxEntries: 2 }, () => now);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect(m.keys()).toEqual(['b', 'c']);
    now = 50;
    m.set('b', 20);
    expect(m.keys()).toEqual(['c', 'b']);
    now = 120;
    m.prune();
    expect(m.keys()).toEqual(['b']);
    expect(m.get('b')).toBe(20);
    expect(m.get('c')).toBeUndefined();
  });
});
