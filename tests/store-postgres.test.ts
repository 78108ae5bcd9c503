import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../src/store/migrations.js';
import { openPostgresStore } from '../src/store/postgres-store.js';
import { StoreError } from '../src/store/settings-store.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { storeContract } from './support/store-contract.js';

/** The same storage contract on a real PostgreSQL (Debian's, started on loopback for the test). */
let server: TestPostgres;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('the PostgreSQL settings store', () => {
  storeContract(() => openPostgresStore(server.url));

  it('migrates once even when two processes start together', async () => {
    const [a, b] = await Promise.all([openPostgresStore(server.url), openPostgresStore(server.url)]);
    await Promise.all([a.close(), b.close()]);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
    await client.end();
    expect(rows).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => ({ version: i + 1 })));
  });

  it('sees a setting another process wrote', async () => {
    const writer = await openPostgresStore(server.url);
    const reader = await openPostgresStore(server.url);
    await writer.update('shared', { cooldownMs: 12_000, updatedBy: 'teacher' });
    expect(await reader.get('shared')).toMatchObject({ cooldownMs: 12_000 });
    await Promise.all([writer.close(), reader.close()]);
  });

  it('names DATABASE_URL, without its password, when nothing answers there', async () => {
    const error = await openPostgresStore('postgresql://looplab:s3cret@127.0.0.1:1/looplab').catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      'DATABASE_URL=postgresql://looplab@127.0.0.1:1/looplab cannot be used: nothing answers there (is PostgreSQL running, and is the host and port right?).',
    );
    expect(error.message).not.toContain('s3cret');
  });
});
