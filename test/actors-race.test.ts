/**
 * Shard lease claims race (ACTORS.md "N nodes race to claim one shard"): several clients of the
 * lease store, each on its own connection, claim the same key at once, many times. Exactly one wins
 * every time, on NATS JetStream KV (distributed mode) and on the Postgres table (embedded mode).
 * Runs only with REEF_TEST_SERVICES=1.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createLogger } from '../engine/log.ts';
import { createNatsCasKv, createSqlCasKv, type CasKv } from '../engine/actors/index.ts';
import type { Database } from '../engine/db/index.ts';
import { SERVICES, SERVICE_URLS, uniq } from './context.ts';

async function waitForClaim(claim: () => Promise<Map<string, number | null>>): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rev = (await claim().catch(() => new Map<string, number | null>())).get('s');
    if (typeof rev === 'number') return rev;
    if (Date.now() > deadline) throw new Error('no claim succeeded after the bucket was recreated');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const SKIP = SERVICES ? false : 'lease race tests need REEF_TEST_SERVICES=1 (PostgreSQL, NATS)';

describe('shard lease claims race', { skip: SKIP }, () => {
  const log = createLogger('silent');

  /** `keys` independent races run side by side, `rounds` times each: keys × rounds claims in all. */
  async function race(stores: CasKv[], keys: number, rounds: number): Promise<number> {
    const bucketName = uniq('race');
    const buckets = await Promise.all(stores.map((s) => s.bucket(bucketName, 60_000)));
    let races = 0;
    await Promise.all(
      Array.from({ length: keys }, async (_, k) => {
        const key = `shard-${k}`;
        for (let round = 0; round < rounds; round++) {
          const results = await Promise.all(buckets.map((b) => b.claim([key], `c${round}`)));
          assert.ok(
            results.every((r) => r.get(key) !== null),
            'no claim outcome unknown',
          );
          const winners = results
            .map((r, i) => ({ i, rev: r.get(key) }))
            .filter((x) => typeof x.rev === 'number');
          assert.equal(winners.length, 1, `${key} round ${round}: ${winners.length} winners`);
          const w = winners[0]!;
          await buckets[w.i]!.release([{ key, revision: w.rev as number }]);
          races++;
        }
      }),
    );
    await buckets[0]!.destroy();
    return races;
  }

  it('NATS JetStream KV: a bucket removed under a live node is recreated, with higher epochs', async () => {
    const [a, b] = await Promise.all(
      [0, 1].map((i) => createNatsCasKv(SERVICE_URLS.NATS_URL, `heal-${i}`, log)),
    );
    try {
      const name = uniq('heal');
      const bucketA = await a!.bucket(name, 60_000);
      const first = (await bucketA.claim(['s'], 'a')).get('s');
      assert.equal(typeof first, 'number');
      const before = bucketA.epoch(first as number);
      // 1. someone else removes the bucket (the last node of a cluster leaving)
      await (await b!.bucket(name, 60_000)).destroy();
      // 2. the next failing call recreates it; the lease held in the old bucket is lost...
      const renewed = await bucketA.renew([{ key: 's', revision: first as number }], 'a').catch(() => null);
      assert.notEqual(typeof renewed?.get('s'), 'number', 'the old lease does not survive');
      // 3. ...and a new claim succeeds with an epoch above every epoch of the old bucket
      const again = await waitForClaim(() => bucketA.claim(['s'], 'a'));
      assert.ok(bucketA.epoch(again) > before, `${bucketA.epoch(again)} > ${before}`);
      await bucketA.destroy();
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });

  it('NATS JetStream KV: 3 clients, 1,000 races, exactly one winner each time', async () => {
    const stores = await Promise.all(
      Array.from({ length: 3 }, (_, i) => createNatsCasKv(SERVICE_URLS.NATS_URL, `race-${i}`, log)),
    );
    try {
      assert.equal(await race(stores, 25, 40), 1000);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('PostgreSQL table (embedded mode store): 3 clients, 1,000 races, exactly one winner', async () => {
    const pool = new pg.Pool({ connectionString: SERVICE_URLS.DATABASE_URL, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      assert.equal(
        await race(
          Array.from({ length: 3 }, () => createSqlCasKv(db)),
          25,
          40,
        ),
        1000,
      );
    } finally {
      await db.destroy();
    }
  });
});
