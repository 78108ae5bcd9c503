import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_VERSION, MIGRATIONS } from './migrations.js';
import { fromRow, merge, type SettingsRow, toValues, UPSERT_COLUMNS, UPSERT_UPDATE } from './rows.js';
import { type GuildOverrides, type SettingsStore, StoreError } from './settings-store.js';

export const SQLITE_FILE = 'looplab.db';

/**
 * The embedded store: one SQLite file in DATA_DIR (created on first use). It fails loudly at
 * open — an unwritable folder, a file that is not a database, a schema from a newer LoopLab —
 * and never resets anything by itself.
 */
export function openSqliteStore(dataDir: string): SettingsStore {
  const dir = resolve(dataDir);
  const file = join(dir, SQLITE_FILE);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new StoreError(
      `DATA_DIR=${dataDir} cannot be used: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Set DATA_DIR to a folder LoopLab can create and write (it keeps the classroom settings there).`,
      { cause: error },
    );
  }
  let db: Database.Database;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const code = (error as { code?: string }).code;
    const hint =
      code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
        ? 'it is not a readable SQLite database (corrupt, or another file). Nothing was changed: move it away to start with fresh settings, or restore it from a backup'
        : code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN'
          ? 'it cannot be opened for writing. Check the file and DATA_DIR permissions'
          : (error as Error).message;
    throw new StoreError(`The settings store ${file} cannot be opened: ${hint}.`, { cause: error });
  }

  const select = db.prepare<[string], SettingsRow>('SELECT * FROM guild_settings WHERE guild_id = ?');
  const upsert = db.prepare(
    `INSERT INTO guild_settings (${UPSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (guild_id) DO UPDATE SET ${UPSERT_UPDATE}`,
  );
  const read = (guildId: string): GuildOverrides => {
    const row = select.get(guildId);
    return row ? fromRow(row) : {};
  };
  const write = db.transaction((guildId: string, patch: Omit<GuildOverrides, 'updatedAt'>) => {
    const next = merge(read(guildId), patch);
    upsert.run(...toValues(guildId, next));
    return next;
  });

  // One statement, so two processes on the file never get the same slot (SQLite serialises writers).
  const reserve = db.prepare<{ bucket: number; now: number; interval: number }, { next_at: number }>(
    `INSERT INTO identify_slots (bucket, next_at) VALUES (@bucket, @now + @interval)
     ON CONFLICT (bucket) DO UPDATE SET next_at = max(next_at, @now) + @interval
     RETURNING next_at`,
  );

  return {
    location: file,
    async get(guildId) {
      return read(guildId);
    },
    async update(guildId, patch) {
      try {
        return write(guildId, patch);
      } catch (error) {
        throw new StoreError(`could not save the settings in ${file}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async reserveIdentify(bucket, intervalMs) {
      const now = Date.now();
      const row = reserve.get({ bucket, now, interval: intervalMs });
      return Math.max(0, (row?.next_at ?? now) - intervalMs - now);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database, file: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  const current =
    (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  if (current > LATEST_VERSION) {
    throw new StoreError(
      `The settings store ${file} has schema version ${current}, newer than this LoopLab knows (${LATEST_VERSION}). Run the newer LoopLab, or point DATA_DIR elsewhere.`,
    );
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)',
  );
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.description, Date.now());
    })();
  }
}
