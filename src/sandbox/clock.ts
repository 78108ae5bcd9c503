/**
 * The sandbox's idea of "now". Discord is another machine with its own clock: an offset lets
 * tests and lessons show a clock that runs ahead or behind, and `advance` jumps time forward
 * (e.g. past the 15-minute token lifetime) without waiting.
 */
export class SandboxClock {
  #offsetMs: number;

  constructor(offsetMs = 0) {
    this.#offsetMs = offsetMs;
  }

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  setOffset(ms: number): void {
    this.#offsetMs = ms;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
