/**
 * The one way LoopLab (and the doctor) keeps an in-memory history: bounded by age *and* by count, so a burst can
 * never grow it past `maxEntries` and a quiet hour never keeps what nobody can ask about any more.
 * Every history (loop-delay samples, the main-thread ledger, acks, utilisation snapshots, the REST
 * observer, the sandbox's stores) is one of these two shapes.
 */

export interface Bounds {
  /** Entries older than this (by their time) are dropped. */
  keepMs: number;
  /** At most this many entries; the oldest goes first. */
  maxEntries: number;
}

/**
 * A time-ordered ring of entries. Push in time order (each entry's time ≥ the previous one's):
 * range queries use binary search.
 */
export class TimeWindow<T> {
  readonly #at: Float64Array;
  readonly #items: Array<T | undefined>;
  #head = 0;
  #size = 0;

  constructor(
    readonly bounds: Bounds,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(bounds.maxEntries) || bounds.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number ≥ 1, got ${bounds.maxEntries}`);
    }
    this.#at = new Float64Array(bounds.maxEntries);
    this.#items = new Array<T | undefined>(bounds.maxEntries);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends an entry stamped `at` (an out-of-order time is raised to the newest one's) and drops what has aged out. */
  push(at: number, item: T): void {
    const capacity = this.#at.length;
    const stamp = this.#size > 0 ? Math.max(at, this.#at[this.#index(this.#size - 1)] ?? at) : at;
    if (this.#size === capacity) this.#dropOldest();
    const index = (this.#head + this.#size) % capacity;
    this.#at[index] = stamp;
    this.#items[index] = item;
    this.#size += 1;
    // Age is judged against the newest entry, so a history fed with its own clock (a test's, a
    // replay's) keeps its last `keepMs` too; prune() with no argument judges against now.
    this.prune(stamp);
  }

  /** Drops entries older than `keepMs`. */
  prune(now = this.now()): void {
    const horizon = now - this.bounds.keepMs;
    while (this.#size > 0 && (this.#at[this.#head] ?? 0) < horizon) this.#dropOldest();
  }

  /** The newest entry and its time. */
  last(): { at: number; item: T } | undefined {
    if (this.#size === 0) return undefined;
    const index = this.#index(this.#size - 1);
    return { at: this.#at[index] ?? 0, item: this.#items[index] as T };
  }

  /** The oldest entry. */
  first(): { at: number; item: T } | undefined {
    return this.#size === 0 ? undefined : this.#entry(0);
  }

  /** The newest entry stamped at or before `t`. */
  atOrBefore(t: number): { at: number; item: T } | undefined {
    const i = this.#firstAtOrAfter(t);
    if (i < this.#size && (this.#at[this.#index(i)] ?? 0) === t) return this.#entry(i);
    return i > 0 ? this.#entry(i - 1) : undefined;
  }

  /** The oldest entry stamped at or after `t`. */
  atOrAfter(t: number): { at: number; item: T } | undefined {
    const i = this.#firstAtOrAfter(t);
    return i < this.#size ? this.#entry(i) : undefined;
  }

  /** Moves the newest entry's time forward (an entry that grew, e.g. a merged span). */
  restampLast(at: number): void {
    if (this.#size === 0) return;
    const index = this.#index(this.#size - 1);
    this.#at[index] = Math.max(this.#at[index] ?? at, at);
  }

  /** Entries stamped in [start, end], oldest first. */
  between(start: number, end = Number.POSITIVE_INFINITY): T[] {
    const out: T[] = [];
    for (let i = this.#firstAtOrAfter(start); i < this.#size; i++) {
      const index = this.#index(i);
      if ((this.#at[index] ?? 0) > end) break;
      out.push(this.#items[index] as T);
    }
    return out;
  }

  /** Calls `fn` with each entry stamped in [start, end] and its time, oldest first. */
  forEachBetween(start: number, end: number, fn: (at: number, item: T) => void): void {
    for (let i = this.#firstAtOrAfter(start); i < this.#size; i++) {
      const index = this.#index(i);
      const at = this.#at[index] ?? 0;
      if (at > end) break;
      fn(at, this.#items[index] as T);
    }
  }

  /** Every entry, oldest first. */
  values(): T[] {
    return this.between(Number.NEGATIVE_INFINITY);
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  #entry(i: number): { at: number; item: T } {
    const index = this.#index(i);
    return { at: this.#at[index] ?? 0, item: this.#items[index] as T };
  }

  #index(i: number): number {
    return (this.#head + i) % this.#at.length;
  }

  #dropOldest(): void {
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#at.length;
    this.#size -= 1;
  }

  /** Binary search: the position (0 = oldest) of the first entry stamped ≥ t. */
  #firstAtOrAfter(t: number): number {
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#at[this.#index(mid)] ?? 0) < t) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * A keyed store with the same bounds: each key is stamped when it is set, and the oldest keys go
 * first when the store is full or they are older than `keepMs`.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, { at: number; value: V }>();

  constructor(
    readonly bounds: Bounds,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(bounds.maxEntries) || bounds.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number ≥ 1, got ${bounds.maxEntries}`);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Stores `value` under `key`, stamped `at` (default now); an existing key moves to the newest end. */
  set(key: K, value: V, at = this.now()): void {
    this.#entries.delete(key);
    this.#entries.set(key, { at, value });
    this.prune(at);
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Drops keys older than `keepMs` and, beyond `maxEntries`, the oldest. */
  prune(now = this.now()): void {
    const horizon = now - this.bounds.keepMs;
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.bounds.maxEntries && entry.at >= horizon) break;
      this.#entries.delete(key);
    }
  }

  /** Values, oldest first. */
  values(): V[] {
    return [...this.#entries.values()].map((e) => e.value);
  }

  keys(): K[] {
    return [...this.#entries.keys()];
  }

  clear(): void {
    this.#entries.clear();
  }
}
