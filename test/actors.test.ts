/**
 * The actor runtime on one node (embedded adapters, or PostgreSQL + NATS + Redis with
 * REEF_TEST_SERVICES=1): ask/send/read, mailbox order and bound, persistence and restore, passivation,
 * durable timers on a manual clock, the outbox, and a second runtime on the same database.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../engine/config.ts';
import { ManualClock, type Clock } from '../engine/clock.ts';
import { createEngine, type Engine } from '../engine/index.ts';
import { createActorRuntime, ActorOverloadedError, type ActorRuntime } from '../engine/actors/index.ts';
import { AppError } from '../engine/errors.ts';
import { SERVICES, SERVICE_URLS, uniq } from './context.ts';
import { counterKind, type CounterContext, type EffectRecord } from './fixtures/actor-kinds.ts';

const T0 = 1_790_000_000_000;

async function startEngine(
  clock: Clock,
  env: Record<string, string> = {},
): Promise<{ engine: Engine; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-actors-'));
  const config = loadConfig({
    DATA_DIR: dir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NAMESPACE: uniq('ta'),
    ACTOR_SHARDS: '32',
    ACTOR_LEASE_TTL_MS: '3000',
    ACTOR_HEARTBEAT_MS: '200',
    ACTOR_TIMER_POLL_MS: '20',
    ACTOR_INBOX_POLL_MS: '50',
    ACTOR_OUTBOX_POLL_MS: '50',
    ...(SERVICES ? SERVICE_URLS : { PGLITE_PATH: 'memory://' }),
    ...env,
  });
  return { engine: await createEngine(config, { clock }), dir };
}

async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('actor runtime, one node', () => {
  const clock = new ManualClock(T0);
  const effects: EffectRecord[] = [];
  let engine: Engine;
  let dir: string;
  let actors: ActorRuntime;
  const addr = () => ({ kind: 'counter', id: uniq('c') });

  before(async () => {
    ({ engine, dir } = await startEngine(clock, { ACTOR_IDLE_MS: '150' }));
    actors = engine.actors;
    actors.register(counterKind(effects));
    actors.register(counterKind(effects, { kind: 'tiny', mailboxSize: 2 }));
    actors.register(counterKind(effects, { kind: 'flaky', failFirstAttempts: 1 }));
    await actors.start();
  });
  after(async () => {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers asks, stamps at from the clock, and persists the context with a version', async () => {
    const a = addr();
    assert.equal(await actors.read(a), null);
    assert.equal(await actors.ask<number>(a, { type: 'inc', by: 2, tag: 'x' }), 2);
    assert.equal(await actors.ask<number>(a, { type: 'inc', tag: 'y' }), 3);
    const state = await actors.read<CounterContext>(a);
    assert.deepEqual(state?.context, { count: 3, tags: ['x', 'y'], rings: [], burns: [] });
    assert.equal(state?.version, 2);
    assert.equal(state?.status, 'active');
    // A read-only ask answers without a commit.
    const ctx = await actors.ask<CounterContext>(a, { type: 'get' });
    assert.equal(ctx.count, 3);
    assert.equal((await actors.read(a))?.version, 2);
  });

  it('rejects a refusal with an AppError carrying the machine code, status and data', async () => {
    const err = await actors.ask(addr(), { type: 'refuse' }).catch((e: unknown) => e);
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'COUNTER_REFUSED');
    assert.equal(err.status, 409);
    assert.deepEqual(err.data, { why: 'because' });
  });

  it('resolves an ask whose event produced no reply with undefined', async () => {
    assert.equal(await actors.ask(addr(), { type: 'disarm', key: 'none' }), undefined);
  });

  it('handles events one at a time in arrival order (asks and sends mixed)', async () => {
    const a = addr();
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 100; i++) pending.push(actors.ask(a, { type: 'inc', tag: String(i) }));
    const replies = await Promise.all(pending);
    assert.deepEqual(
      replies,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    for (let i = 100; i < 120; i++) await actors.send(a, { type: 'inc', tag: String(i) });
    // Sends not awaited one by one keep call order too (one group insert in flight per node).
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => actors.send(a, { type: 'inc', tag: String(120 + i) })),
    );
    const last = await actors.ask<CounterContext>(a, { type: 'get' });
    assert.deepEqual(
      last.tags,
      Array.from({ length: 150 }, (_, i) => String(i)),
    );
  });

  it('refuses asks with ActorOverloadedError when the mailbox is full; sends wait in the inbox', async () => {
    const a = { kind: 'tiny', id: uniq('t') };
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => actors.ask(a, { type: 'inc', tag: String(i) })),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    // Normally 6 of 8 (the first two fit); fewer when a slow machine spreads the asks out.
    assert.ok(refused.length >= 1, `expected asks refused, got ${refused.length}`);
    for (const r of refused) assert.ok((r as PromiseRejectedResult).reason instanceof ActorOverloadedError);
    const accepted = results.filter((r) => r.status === 'fulfilled').length;
    // Sends are never refused: 30 sends into a mailbox of 2 all get handled, in order.
    for (let i = 0; i < 30; i++) await actors.send(a, { type: 'inc', tag: `s${i}` });
    const ctx = await until('all sends handled', async () => {
      const s = await actors.read<CounterContext>(a);
      return s && s.context.count === accepted + 30 ? s.context : null;
    });
    assert.deepEqual(
      ctx.tags.filter((t) => t.startsWith('s')),
      Array.from({ length: 30 }, (_, i) => `s${i}`),
    );
  });

  it('passivates idle actors and restores them from Postgres', async () => {
    const a = addr();
    await actors.ask(a, { type: 'inc', by: 5 });
    const before = actors.stats().passivated;
    await until(
      'passivation',
      () => actors.stats().passivated > before && actors.locate(a).owner === actors.node,
    );
    assert.equal(await actors.ask<number>(a, { type: 'inc' }), 6);
  });

  it('fires a durable timer once at its absolute due time, and not a cancelled one', async () => {
    const a = addr();
    clock.set(T0 + 10_000);
    const due = T0 + 15_000;
    assert.equal(await actors.ask(a, { type: 'arm', key: 'k', dueAt: due }), 'armed');
    await actors.ask(a, { type: 'arm', key: 'gone', dueAt: due });
    await actors.send(a, { type: 'disarm', key: 'gone' });
    clock.set(due - 1);
    await new Promise((r) => setTimeout(r, 100)); // several timer polls
    assert.deepEqual((await actors.read<CounterContext>(a))?.context.rings, []);
    clock.set(due);
    const rings = await until('ring', async () => {
      const s = await actors.read<CounterContext>(a);
      return s?.context.rings.length ? s.context.rings : null;
    });
    assert.deepEqual(rings, [{ key: 'k', at: due }]);
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual((await actors.read<CounterContext>(a))?.context.rings, [{ key: 'k', at: due }]);
    const rows =
      await sql`select key from actor_timers where ns = ${engine.config.NAMESPACE} and id = ${a.id}`.execute(
        engine.db.db,
      );
    assert.deepEqual(rows.rows, []);
    const rang = await until('effect', () => effects.filter((e) => e.ctx.address.id === a.id));
    assert.equal(rang.length, 1);
    assert.deepEqual(rang[0]!.effect, { type: 'rang', key: 'k', at: due });
  });

  it('re-setting a timer key moves it (upsert) and it fires once', async () => {
    const a = addr();
    clock.set(T0 + 100_000);
    await actors.ask(a, { type: 'arm', key: 'k', dueAt: T0 + 101_000 });
    await actors.ask(a, { type: 'arm', key: 'k', dueAt: T0 + 103_000 });
    clock.set(T0 + 102_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await actors.read<CounterContext>(a))?.context.rings, []);
    clock.set(T0 + 103_500);
    const rings = await until(
      'ring',
      async () => (await actors.read<CounterContext>(a))?.context.rings.length,
    );
    assert.equal(rings, 1);
    assert.deepEqual((await actors.read<CounterContext>(a))?.context.rings, [{ key: 'k', at: T0 + 103_500 }]);
  });

  it('delivers effects after commit with a stable effectId, retrying a failed one', async () => {
    const a = { kind: 'flaky', id: uniq('f') };
    await actors.ask(a, { type: 'notify', n: 7 });
    const got = await until('retried effect', () => effects.find((e) => e.ctx.address.id === a.id), 5000);
    assert.equal(got.ctx.attempt, 2);
    assert.equal(got.ctx.effectId, `flaky:${a.id}:1:0`);
    assert.deepEqual(got.effect, { type: 'notes', n: 7 });
    await until('outbox row deleted', async () => {
      const r =
        await sql`select id from actor_outbox where ns = ${engine.config.NAMESPACE} and actor_id = ${a.id}`.execute(
          engine.db.db,
        );
      return r.rows.length === 0;
    });
    assert.equal(effects.filter((e) => e.ctx.address.id === a.id).length, 1);
  });
});

describe('actor runtime, persist → stop → restore on another runtime', () => {
  it('restores the snapshot, fires the pending timer once at its due time, and catches up at a bounded rate', async () => {
    const clock = new ManualClock(T0);
    const effects: EffectRecord[] = [];
    const { engine, dir } = await startEngine(clock);
    try {
      engine.actors.register(counterKind(effects));
      await engine.actors.start();
      const a = { kind: 'counter', id: uniq('r') };
      await engine.actors.ask(a, { type: 'inc', by: 41 });
      await engine.actors.ask(a, { type: 'arm', key: 'later', dueAt: T0 + 30_000 });
      // 30 more actors with a timer due while no runtime runs: the catch-up of the next one
      const many = Array.from({ length: 30 }, (_, i) => ({ kind: 'counter', id: uniq(`m${i}`) }));
      await Promise.all(many.map((m) => engine.actors.ask(m, { type: 'arm', key: 'k', dueAt: T0 + 20_000 })));
      // 1. the first runtime leaves (its activations drop; the state is only in Postgres now)
      await engine.actors.stop();
      // 2. a second runtime on the same database and bus takes the shards
      // ACTOR_TIMER_FIRE_RATE 20/s: the token bucket starts with 20, the other 10 take ~0.5 s.
      const second = await createActorRuntime(
        { ...engine.config, ACTOR_TIMER_FIRE_RATE: 20 },
        {
          db: engine.db.db,
          bus: engine.bus,
          clock,
          ids: engine.ids,
          log: engine.log,
          node: `${engine.nodeName}-b`,
        },
      );
      second.register(counterKind(effects));
      await second.start();
      try {
        assert.equal(second.locate(a).owner, second.node);
        assert.equal(await second.ask<number>(a, { type: 'inc' }), 42);
        // 3. the timer armed by the first runtime fires once on the second, at its absolute time
        clock.set(T0 + 29_999);
        const started = Date.now();
        const rang = async () => {
          const states = await Promise.all(many.map((m) => second.read<CounterContext>(m)));
          return states.filter((x) => x?.context.rings.length === 1).length;
        };
        await until('catch-up', async () => (await rang()) === 30, 10_000);
        const catchUpMs = Date.now() - started;
        assert.ok(catchUpMs >= 400, `30 overdue timers at 20/s took ${catchUpMs} ms`);
        assert.equal((await second.read<CounterContext>(a))?.context.rings.length, 0);
        clock.set(T0 + 30_000);
        await until('ring', async () => (await second.read<CounterContext>(a))?.context.rings.length === 1);
        clock.advance(5000);
        await new Promise((r) => setTimeout(r, 80));
        const ctx = (await second.read<CounterContext>(a))!.context;
        assert.deepEqual(ctx.rings, [{ key: 'later', at: T0 + 30_000 }]);
        assert.equal(ctx.count, 42);
        const mine = await until('one effect', () => {
          const e = effects.filter((x) => x.ctx.address.id === a.id);
          return e.length === 1 ? e : null;
        });
        assert.equal(mine[0]!.ctx.effectId.startsWith(`counter:${a.id}:`), true);
        await until('catch-up effects', () => effects.length === 31);
        assert.equal(new Set(effects.map((e) => e.ctx.effectId)).size, 31, 'each timer fired once');
      } finally {
        await second.stop();
      }
    } finally {
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
