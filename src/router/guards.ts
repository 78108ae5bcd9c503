import type { Config } from '../config/env.js';
import type { InFlightDemo } from '../contracts/context.js';
import { BoundedMap } from '../lib/bounded.js';
import type { Holder } from '../measure/main-thread.js';

/** People remembered at most: only those still inside their cooldown matter. */
const MAX_REMEMBERED = 10_000;

/**
 * A teacher's brakes: a per-user cooldown between demos and a cap on demos running at once.
 * Returns a kind explanation when a demo must wait, or null to let it run.
 */
export class Guards {
  readonly #lastDemo: BoundedMap<string, number>;

  constructor(private readonly config: Pick<Config, 'cooldownMs' | 'maxConcurrentDemos'>) {
    this.#lastDemo = new BoundedMap({ keepMs: config.cooldownMs, maxEntries: MAX_REMEMBERED });
  }

  admit(holder: Holder, inFlight: ReadonlyMap<string, InFlightDemo>, now = Date.now()): string | null {
    const { cooldownMs, maxConcurrentDemos } = this.config;
    const last = this.#lastDemo.get(holder.userId);
    if (cooldownMs > 0 && last !== undefined && now - last < cooldownMs) {
      const wait = Math.ceil((cooldownMs - (now - last)) / 1000);
      return `Easy there: this server asks for ${Math.ceil(cooldownMs / 1000)} s between demos per person. Try again in ${wait} s.`;
    }
    if (inFlight.size >= maxConcurrentDemos) {
      return `${inFlight.size} demos are running right now (the limit here is ${maxConcurrentDemos}). Give them a few seconds and try again.`;
    }
    if (cooldownMs > 0) this.#lastDemo.set(holder.userId, now, now);
    return null;
  }
}
