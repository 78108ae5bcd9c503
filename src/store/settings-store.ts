/**
 * What a teacher set for one guild with `/classroom`. Every field is optional: unset means "the
 * operator's default" (the environment), so `/classroom show` can say where each value came from.
 */
export interface GuildOverrides {
  maxMs?: number;
  cooldownMs?: number;
  /** Main-thread blocking allowed per minute, across the guild. */
  budgetMs?: number;
  /** Demos running at once in this guild. */
  concurrent?: number;
  paused?: boolean;
  /** Who changed it last, and when (ms since the epoch). */
  updatedBy?: string;
  updatedAt?: number;
}

/** The one storage interface: SQLite embedded by default; PostgreSQL when DATABASE_URL is set (step 10). */
export interface SettingsStore {
  /** Where it keeps its data, for logs and errors (a path, or a database name; never a password). */
  readonly location: string;
  get(guildId: string): Promise<GuildOverrides>;
  /** Merges `patch` into the guild's overrides (undefined fields stay as they are) and returns the result. */
  update(guildId: string, patch: Omit<GuildOverrides, 'updatedAt'>): Promise<GuildOverrides>;
  /**
   * Reserves the next IDENTIFY slot of gateway bucket `bucket` (shard_id % max_concurrency): one
   * per `intervalMs` across every process that uses this store (the shard processes of a machine
   * on its SQLite file; every machine on PostgreSQL, by the database's clock). Resolves with how
   * long to wait until the slot (0: now).
   */
  reserveIdentify(bucket: number, intervalMs: number): Promise<number>;
  close(): Promise<void>;
}

/** A store that cannot be opened or used: always names the setting to fix. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
