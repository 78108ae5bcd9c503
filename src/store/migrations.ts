/**
 * The schema, as numbered steps. A store applies each step it has not applied yet, in order, in
 * one transaction each, and records it in `schema_migrations`; a store whose schema is newer than
 * this code refuses to start (a downgrade would silently drop what it does not know).
 * Plain SQL both SQLite and PostgreSQL run.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'per-guild classroom settings',
    sql: `CREATE TABLE guild_settings (
      guild_id    TEXT PRIMARY KEY,
      max_ms      INTEGER,
      cooldown_ms INTEGER,
      budget_ms   INTEGER,
      concurrent  INTEGER,
      paused      INTEGER NOT NULL DEFAULT 0,
      updated_by  TEXT,
      updated_at  BIGINT
    )`,
  },
  {
    version: 2,
    description: 'identify slots shared by every shard process (one IDENTIFY per bucket per 5 s)',
    sql: `CREATE TABLE identify_slots (
      bucket  INTEGER PRIMARY KEY,
      next_at BIGINT NOT NULL
    )`,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
