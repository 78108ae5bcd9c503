import type { Config } from '../config/env.js';
import { BoundedMap } from '../lib/bounded.js';
import type { GuildOverrides, SettingsStore } from '../store/settings-store.js';
import { ClassroomPolicy } from './policy.js';
import { type ClassroomSettings, resolveSettings } from './settings.js';

/**
 * How long a guild's settings are read from memory before the store is asked again: another
 * process sharing the store (step 10) sees a change within this long; this process sees its own
 * changes at once.
 */
export const SETTINGS_CACHE_MS = 5_000;

/** The classroom: each guild's settings (store → cache) and the policy that applies them. */
export class Classroom {
  readonly policy = new ClassroomPolicy();
  readonly #cache = new BoundedMap<string, { overrides: GuildOverrides; at: number }>({
    keepMs: SETTINGS_CACHE_MS,
    maxEntries: 10_000,
  });

  constructor(
    private readonly config: Config,
    private readonly store: SettingsStore,
  ) {}

  /** The settings in force in `guildId` (the operator's in a DM). */
  async settings(guildId: string | null, now = Date.now()): Promise<ClassroomSettings> {
    if (!guildId) return resolveSettings(this.config, {});
    const cached = this.#cache.get(guildId);
    if (cached && now - cached.at < SETTINGS_CACHE_MS) return resolveSettings(this.config, cached.overrides);
    const overrides = await this.store.get(guildId);
    this.#cache.set(guildId, { overrides, at: now }, now);
    return resolveSettings(this.config, overrides);
  }

  /** A teacher's change: saved first, then in force here at once. */
  async update(guildId: string, patch: Omit<GuildOverrides, 'updatedAt' | 'updatedBy'>, by: string) {
    const overrides = await this.store.update(guildId, { ...patch, updatedBy: by });
    this.#cache.set(guildId, { overrides, at: Date.now() });
    return resolveSettings(this.config, overrides);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
