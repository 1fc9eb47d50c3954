/**
 * KV port conformance: the in-memory adapter and Redis (when REEF_TEST_SERVICES=1) behave alike.
 * Real time with short TTLs, so one test body serves both; each adapter gets its own namespace.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { SERVICES, SERVICE_URLS, uniq } from '../../test/context.ts';
import { ManualClock, systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import type { Kv } from './index.ts';
import { createMemoryKv } from './memory.ts';
import { createRedisKv } from './redis.ts';

const log = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Time unit of the TTL tests. "Still there" is asserted only while well inside a TTL as measured
 * here, so a stalled event loop on a busy machine cannot turn a correct store into a failure.
 */
const T = 400;
const within = (since: number, ttl: number) => Date.now() - since < ttl * 0.75;

const namespaces: string[] = [];
const adapters: Array<{ name: string; make: () => Promise<Kv> }> = [
  { name: 'memory', make: async () => createMemoryKv(systemClock) },
];
if (SERVICES)
  adapters.push({
    name: 'redis',
    make: async () => {
      const ns = uniq('kvtest');
      namespaces.push(ns);
      return createRedisKv(SERVICE_URLS.REDIS_URL, ns, log);
    },
  });

after(async () => {
  if (namespaces.length === 0) return;
  // Leave the shared Redis as we found it.
  const r = new Redis(SERVICE_URLS.REDIS_URL);
  for (const ns of namespaces) {
    const keys = await r.keys(`${ns}:*`);
    if (keys.length) await r.del(...keys);
  }
  await r.quit();
});

for (const adapter of adapters) {
  describe(`kv (${adapter.name})`, () => {
    let kv: Kv;
    const kvs: Kv[] = [];
    const open = async () => {
      const k = await adapter.make();
      kvs.push(k);
      return k;
    };
    after(async () => {
      for (const k of kvs) await k.close();
    });

    test('get/set/del round-trip and ping', async () => {
      kv = await open();
      assert.equal(kv.state(), 'ready');
      await kv.ping();
      assert.equal(await kv.get('missing'), null);
      await kv.set('a', 'one');
      assert.equal(await kv.get('a'), 'one');
      await kv.set('a', 'two');
      assert.equal(await kv.get('a'), 'two');
      await kv.del('a');
      assert.equal(await kv.get('a'), null);
    });

    test('a key set with a TTL expires; expire() adds a TTL later', async () => {
      const t0 = Date.now();
      await kv.set('ttl', 'v', T);
      await kv.set('forever', 'v');
      const early = await kv.get('ttl');
      if (within(t0, T)) assert.equal(early, 'v');
      await kv.expire('forever', T);
      await sleep(2 * T);
      assert.equal(await kv.get('ttl'), null);
      assert.equal(await kv.get('forever'), null);
    });

    test('setIfAbsent: exactly one of many concurrent claims wins, and the key is free again after its TTL', async () => {
      const key = `claim:${uniq()}`;
      const t0 = Date.now();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => kv.setIfAbsent(key, `owner-${i}`, 2 * T)),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1);
      const holder = await kv.get(key);
      const late = await kv.setIfAbsent(key, 'late', 2 * T);
      if (within(t0, 2 * T)) {
        assert.equal(holder, `owner-${winners[0]}`);
        assert.equal(late, false);
      }
      await sleep(Math.max(0, t0 + 2 * T + 100 - Date.now()));
      assert.equal(await kv.setIfAbsent(key, 'next', 2 * T), true);
      assert.equal(await kv.get(key), 'next');
    });

    test('incr is atomic under concurrency and hands out every value once', async () => {
      const key = `ctr:${uniq()}`;
      const values = await Promise.all(Array.from({ length: 200 }, () => kv.incr(key)));
      assert.deepEqual(
        values.sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      assert.equal(await kv.get(key), '200');
      assert.equal(await kv.incr(key, 5), 205);
      assert.equal(await kv.incr(key, -10), 195);
    });

    test('incr applies its TTL only when it creates the key', async () => {
      const key = `ctr:${uniq()}`;
      const t0 = Date.now();
      assert.equal(await kv.incr(key, 1, 2 * T), 1);
      await sleep(T / 2);
      const second = await kv.incr(key, 1, 10_000);
      if (within(t0, 2 * T)) assert.equal(second, 2, 'the second call does not reset the TTL');
      await sleep(Math.max(0, t0 + 2 * T + 100 - Date.now()));
      assert.equal(await kv.get(key), null, 'expired at the first TTL');
      assert.equal(await kv.incr(key, 1, 2 * T), 1);
    });

    test('rateLimit allows exactly `limit` of N concurrent hits, then refuses with retryAfter', async () => {
      const key = `rl:${uniq()}`;
      const WINDOW = 30_000; // far longer than the burst takes, however busy the machine
      const results = await Promise.all(Array.from({ length: 25 }, () => kv.rateLimit(key, 7, WINDOW)));
      const allowed = results.filter((r) => r.allowed);
      const refused = results.filter((r) => !r.allowed);
      assert.equal(allowed.length, 7);
      assert.equal(refused.length, 18);
      assert.deepEqual(
        allowed.map((r) => r.remaining).sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6],
      );
      for (const r of refused) {
        assert.equal(r.remaining, 0);
        assert.ok(r.retryAfterMs > 0 && r.retryAfterMs <= WINDOW, `retryAfterMs ${r.retryAfterMs}`);
      }
      // Another key is counted on its own.
      assert.equal((await kv.rateLimit(`${key}:other`, 7, WINDOW)).allowed, true);
    });

    test('rateLimit: the window slides, and retryAfter says when the next hit is allowed', async () => {
      const key = `rl:${uniq()}`;
      const t0 = Date.now();
      assert.equal((await kv.rateLimit(key, 2, 2 * T)).allowed, true);
      assert.equal((await kv.rateLimit(key, 2, 2 * T)).allowed, true);
      const refused = await kv.rateLimit(key, 2, 2 * T);
      if (!within(t0, 2 * T)) return; // the machine stalled past the window: nothing left to check
      assert.equal(refused.allowed, false);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 2 * T,
        `retryAfterMs ${refused.retryAfterMs}`,
      );
      await sleep(refused.retryAfterMs + 50);
      const again = await kv.rateLimit(key, 2, 2 * T);
      assert.equal(again.allowed, true);
    });
  });
}

if (SERVICES)
  test('kv (redis): namespaces keep clusters apart', async () => {
    const [a, b] = await Promise.all([adapters[1]!.make(), adapters[1]!.make()]);
    try {
      await a.set('shared-name', 'from-a');
      assert.equal(await b.get('shared-name'), null);
      assert.equal(await b.setIfAbsent('shared-name', 'from-b'), true);
      assert.equal(await a.get('shared-name'), 'from-a');
    } finally {
      await a.close();
      await b.close();
    }
  });

test('kv (memory): expiry and the rate-limit window follow the injected clock', async () => {
  const clock = new ManualClock(1_000_000);
  const kv = createMemoryKv(clock);
  try {
    await kv.set('k', 'v', 1000);
    clock.advance(999);
    assert.equal(await kv.get('k'), 'v');
    clock.advance(1);
    assert.equal(await kv.get('k'), null);
    assert.equal((await kv.rateLimit('r', 2, 10_000)).allowed, true);
    clock.advance(4000);
    assert.equal((await kv.rateLimit('r', 2, 10_000)).allowed, true);
    const refused = await kv.rateLimit('r', 2, 10_000);
    assert.deepEqual(refused, { allowed: false, remaining: 0, retryAfterMs: 6000 });
    clock.advance(6000);
    assert.equal((await kv.rateLimit('r', 2, 10_000)).allowed, true, 'the oldest hit left the window');
  } finally {
    await kv.close();
  }
});
