import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../src/store/migrations.js';
import { StoreError } from '../src/store/settings-store.js';
import { openSqliteStore, SQLITE_FILE } from '../src/store/sqlite-store.js';
import { storeContract } from './support/store-contract.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'looplab-store-'));

describe('the SQLite settings store', () => {
  const dir = join(fresh(), 'not', 'there', 'yet');
  storeContract(async () => openSqliteStore(dir));

  it('records each migration once, in order', async () => {
    const dir = fresh();
    await openSqliteStore(dir).close();
    await openSqliteStore(dir).close();
    const db = new Database(join(dir, SQLITE_FILE), { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    db.close();
    expect(rows).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => ({ version: i + 1 })));
  });

  it('refuses a file that is not a database with a clear error, and leaves it untouched', () => {
    const dir = fresh();
    const file = join(dir, SQLITE_FILE);
    writeFileSync(file, 'these are not the settings you are looking for\n'.repeat(200));
    const open = () => openSqliteStore(dir);
    expect(open).toThrow(StoreError);
    expect(open).toThrow(
      `The settings store ${file} cannot be opened: it is not a readable SQLite database (corrupt, or another file). Nothing was changed: move it away to start with fresh settings, or restore it from a backup.`,
    );
  });

  it('refuses a schema newer than this code instead of guessing', () => {
    const dir = fresh();
    const db = new Database(join(dir, SQLITE_FILE));
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(
      LATEST_VERSION + 1,
      'from the future',
      0,
    );
    db.close();
    expect(() => openSqliteStore(dir)).toThrow(/has schema version \d+, newer than this LoopLab knows/);
  });

  it('names DATA_DIR when it is a file, not a folder', () => {
    const file = join(fresh(), 'plain-file');
    writeFileSync(file, 'x');
    expect(() => openSqliteStore(file)).toThrow(
      new StoreError(
        `DATA_DIR=${file} cannot be used: EEXIST. Set DATA_DIR to a folder LoopLab can create and write (it keeps the classroom settings there).`,
      ),
    );
  });
});
