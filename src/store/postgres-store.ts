import pg from 'pg';
import { LATEST_VERSION, MIGRATIONS } from './migrations.js';
import { fromRow, merge, type SettingsRow, toValues, UPSERT_COLUMNS, UPSERT_UPDATE } from './rows.js';
import { type SettingsStore, StoreError } from './settings-store.js';

/** The database a URL names, without its password: what logs and errors may show. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgresql://${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

/**
 * The shared store for several processes or machines (DATABASE_URL): the same table and the same
 * migrations as the SQLite one, behind the same interface. Migrations run once, under an advisory
 * lock, so two processes starting together do not race.
 */
export async function openPostgresStore(databaseUrl: string): Promise<SettingsStore> {
  const location = describeDatabaseUrl(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 5_000 });
  // An idle client that loses its connection must not crash the bot: the next query reconnects.
  pool.on('error', () => {});
  try {
    await migrate(pool, location);
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof StoreError) throw error;
    const e = error as NodeJS.ErrnoException & { code?: string };
    const why =
      e.code === 'ECONNREFUSED'
        ? 'nothing answers there (is PostgreSQL running, and is the host and port right?)'
        : e.code === '28P01' || e.code === '28000'
          ? 'the user name or password was refused'
          : e.code === '3D000'
            ? 'that database does not exist (create it first)'
            : e.message;
    throw new StoreError(`DATABASE_URL=${location} cannot be used: ${why}.`, { cause: error });
  }

  return {
    location,
    async get(guildId) {
      const { rows } = await pool.query<SettingsRow>('SELECT * FROM guild_settings WHERE guild_id = $1', [
        guildId,
      ]);
      return rows[0] ? fromRow(rows[0]) : {};
    },
    async update(guildId, patch) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // FOR UPDATE locks only a row that exists: without this, two first writes for a new guild
        // would both read "nothing", and the second upsert would drop the first one's setting. The
        // second INSERT waits for the first to commit, then the SELECT waits for its row lock.
        await client.query(
          'INSERT INTO guild_settings (guild_id) VALUES ($1) ON CONFLICT (guild_id) DO NOTHING',
          [guildId],
        );
        const { rows } = await client.query<SettingsRow>(
          'SELECT * FROM guild_settings WHERE guild_id = $1 FOR UPDATE',
          [guildId],
        );
        const next = merge(rows[0] ? fromRow(rows[0]) : {}, patch);
        await client.query(
          `INSERT INTO guild_settings (${UPSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (guild_id) DO UPDATE SET ${UPSERT_UPDATE}`,
          toValues(guildId, next),
        );
        await client.query('COMMIT');
        return next;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new StoreError(`could not save the settings in ${location}: ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        client.release();
      }
    },
    async reserveIdentify(bucket, intervalMs) {
      // The database's clock, not each machine's: slots stay 5 s apart whatever the hosts' skew.
      const { rows } = await pool.query<{ wait_ms: string }>(
        `WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
         INSERT INTO identify_slots (bucket, next_at) SELECT $1, ms + $2 FROM now
         ON CONFLICT (bucket) DO UPDATE
           SET next_at = GREATEST(identify_slots.next_at, (SELECT ms FROM now)) + $2
         RETURNING next_at - $2 - (SELECT ms FROM now) AS wait_ms`,
        [bucket, intervalMs],
      );
      return Math.max(0, Number(rows[0]?.wait_ms ?? 0));
    },
    async close() {
      await pool.end();
    },
  };
}

/** One advisory-lock key for LoopLab's migrations (any constant both processes agree on). */
const MIGRATION_LOCK = 0x4c4f4f50;

async function migrate(pool: pg.Pool, location: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT MAX(version) AS v FROM schema_migrations',
    );
    const current = rows[0]?.v ?? 0;
    if (current > LATEST_VERSION) {
      throw new StoreError(
        `The settings store ${location} has schema version ${current}, newer than this LoopLab knows (${LATEST_VERSION}). Run the newer LoopLab, or point DATABASE_URL elsewhere.`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)',
          [m.version, m.description, Date.now()],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
