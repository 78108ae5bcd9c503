import { openPostgresStore } from './postgres-store.js';
import type { SettingsStore } from './settings-store.js';
import { openSqliteStore } from './sqlite-store.js';

/**
 * The store the settings name: PostgreSQL when DATABASE_URL is set (several processes or machines
 * share it), else the embedded SQLite file in DATA_DIR. Either fails here, at start, with a message
 * that names the setting to fix.
 */
export async function openSettingsStore(settings: { databaseUrl: string | null; dataDir: string }) {
  const store: SettingsStore = settings.databaseUrl
    ? await openPostgresStore(settings.databaseUrl)
    : openSqliteStore(settings.dataDir);
  return store;
}
