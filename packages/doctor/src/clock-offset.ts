/**
 * Estimates how far Discord's clock is from ours, from the `Date` header of REST responses.
 * A Date header has 1 s resolution: the server's time when it answered lies in [D, D + 1000).
 * Our time at that moment lies in [sent, received]. So offset = server − local lies in
 * [D − received, D + 1000 − sent]; intersecting many such intervals narrows it down.
 */
export class ClockOffsetEstimator {
  #low = Number.NEGATIVE_INFINITY;
  #high = Number.POSITIVE_INFINITY;
  #samples = 0;

  /** Adds one response: its Date header and when the request was sent and the answer received. */
  addSample(dateHeader: string | null | undefined, sentAt: number, receivedAt: number): void {
    if (!dateHeader) return;
    const serverSecond = Date.parse(dateHeader);
    if (!Number.isFinite(serverSecond) || receivedAt < sentAt) return;
    const low = serverSecond - receivedAt;
    const high = serverSecond + 1_000 - sentAt;
    const nextLow = Math.max(this.#low, low);
    const nextHigh = Math.min(this.#high, high);
    if (nextLow > nextHigh) {
      // The clocks moved (NTP step, or a clock offset changed): start over from this sample.
      this.#low = low;
      this.#high = high;
      this.#samples = 1;
      return;
    }
    this.#low = nextLow;
    this.#high = nextHigh;
    this.#samples += 1;
  }

  /** Discord's clock minus ours, in ms (0 until a sample arrived). */
  get offsetMs(): number {
    if (this.#samples === 0) return 0;
    return (this.#low + this.#high) / 2;
  }

  /**
   * The offset to correct timestamps by: 0 while the measurements are consistent with equal
   * clocks (a 1 s-resolution header must not shift every timestamp by up to half a second), else
   * the middle of the known interval.
   */
  get correctionMs(): number {
    if (this.#samples === 0 || (this.#low <= 0 && this.#high >= 0)) return 0;
    return this.offsetMs;
  }

  /** Half the width of the interval the offset is known to lie in. */
  get uncertaintyMs(): number {
    if (this.#samples === 0) return Number.POSITIVE_INFINITY;
    return (this.#high - this.#low) / 2;
  }

  get samples(): number {
    return this.#samples;
  }
}
