import { expect, it } from 'vitest';
import type { SettingsStore } from '../../src/store/settings-store.js';

/**
 * What every settings store must do, whatever keeps the data: run by tests/store.test.ts on
 * SQLite and by tests/store-postgres.test.ts on a real PostgreSQL. `open` returns a store on the
 * same data each time it is called (a reopen is a restart).
 */
export function storeContract(open: () => Promise<SettingsStore>): void {
  it('reads nothing for a guild nobody configured', async () => {
    const store = await open();
    expect(await store.get('g-empty')).toEqual({});
    await store.close();
  });

  it('merges each update into the guild’s settings and keeps them across a reopen', async () => {
    const store = await open();
    const saved = await store.update('g1', { cooldownMs: 30_000, updatedBy: 'u1' });
    expect(saved).toMatchObject({ cooldownMs: 30_000, updatedBy: 'u1' });
    await store.update('g1', { paused: true, updatedBy: 'u2' });
    await store.update('g2', { budgetMs: 5_000, maxMs: 2_000, concurrent: 3, updatedBy: 'u3' });
    await store.close();

    const again = await open();
    const g1 = await again.get('g1');
    expect(g1).toMatchObject({ cooldownMs: 30_000, paused: true, updatedBy: 'u2' });
    expect(g1.updatedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(g1.updatedAt).toBeLessThanOrEqual(Date.now());
    expect(await again.get('g2')).toMatchObject({ budgetMs: 5_000, maxMs: 2_000, concurrent: 3 });
    // resume stores an explicit false, which reads back as "not paused", and keeps the rest.
    await again.update('g1', { paused: false, updatedBy: 'u2' });
    const resumed = await again.get('g1');
    expect(resumed.paused).toBeUndefined();
    expect(resumed.cooldownMs).toBe(30_000);
    await again.close();
  });

  it('lets concurrent updates of one guild all land (none lost)', async () => {
    const store = await open();
    // Twenty new guilds, four first writes each at once: a lost update shows in any of them.
    for (let round = 0; round < 20; round++) {
      const guild = `g3-${round}`;
      await Promise.all([
        store.update(guild, { cooldownMs: 1_000, updatedBy: 'a' }),
        store.update(guild, { budgetMs: 2_000, updatedBy: 'b' }),
        store.update(guild, { maxMs: 3_000, updatedBy: 'c' }),
        store.update(guild, { concurrent: 4, updatedBy: 'd' }),
      ]);
      expect(await store.get(guild), guild).toMatchObject({
        cooldownMs: 1_000,
        budgetMs: 2_000,
        maxMs: 3_000,
        concurrent: 4,
      });
    }
    await store.close();
  });

  it('hands out one IDENTIFY slot per bucket per interval to every process on the same data', async () => {
    // Two stores on the same data are two shard processes (or two machines on PostgreSQL).
    const [a, b] = [await open(), await open()];
    const bucket = 1_000 + Math.floor(Math.random() * 1_000_000);
    const waits = await Promise.all([
      a.reserveIdentify(bucket, 5_000),
      b.reserveIdentify(bucket, 5_000),
      a.reserveIdentify(bucket, 5_000),
    ]);
    waits.sort((x, y) => x - y);
    expect(waits[0]).toBe(0);
    // The next slots are 5 s and 10 s after the first, less the few ms between the three calls.
    expect(waits[1]).toBeGreaterThan(4_000);
    expect(waits[1]).toBeLessThanOrEqual(5_000);
    expect(waits[2]).toBeGreaterThan(9_000);
    expect(waits[2]).toBeLessThanOrEqual(10_000);
    // Another bucket (shard_id % max_concurrency) has slots of its own.
    expect(await b.reserveIdentify(bucket + 1, 5_000)).toBe(0);
    await a.close();
    await b.close();
  });
}
