/**
 * The actor runtime across processes (ACTORS.md "Failure tests that prove it"): three reef nodes
 * (test/fixtures/actor-node.ts) on PostgreSQL, NATS and Redis with short leases. Runs only with
 * REEF_TEST_SERVICES=1. Lease races and the NATS restart are in actors-failover.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SERVICES, SERVICE_URLS, uniq } from './context.ts';
import { ActorNode, LEASE_TTL_MS, converged, nodeEnv, waitFor } from './fixtures/actor-cluster.ts';
import type { CounterContext } from './fixtures/actor-kinds.ts';

const SKIP = SERVICES ? false : 'multi-node actor tests need REEF_TEST_SERVICES=1 (PostgreSQL, NATS, Redis)';

/** An address whose shard `owner` holds, as seen from `via`. */
async function addressOn(via: ActorNode, owner: ActorNode) {
  for (let i = 0; i < 500; i++) {
    const a = { kind: 'counter', id: uniq('m') };
    if ((await via.locate(a)).owner === owner.name) return a;
  }
  throw new Error(`no address found on ${owner.label}`);
}

async function subscribeEffects(url: string, ns: string) {
  const nc: NatsConnection = await connect({ servers: url });
  const seen: Array<{ effectId: string; node: string; effect: { type: string; key?: string } }> = [];
  nc.subscribe(`${ns}.test.effects`, {
    callback: (_e, m) => {
      seen.push(m.json());
    },
  });
  await nc.flush();
  return { nc, seen };
}

describe('actor runtime, three nodes', { skip: SKIP }, () => {
  const ns = uniq('tm');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-actors-mn-'));
  const nodes: ActorNode[] = [];
  let effects: Awaited<ReturnType<typeof subscribeEffects>>;

  before(async () => {
    effects = await subscribeEffects(SERVICE_URLS.NATS_URL, ns);
    nodes.push(
      ...(await Promise.all([1, 2, 3].map((i) => ActorNode.start(`n${i}`, nodeEnv(ns, 900 + i, dataDir))))),
    );
    await converged(nodes);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await effects?.nc.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('routes an ask through node 1 to the actor living on node 2', async () => {
    const [n1, n2, n3] = nodes as [ActorNode, ActorNode, ActorNode];
    const a = await addressOn(n1, n2);
    assert.equal((await n3.locate(a)).owner, n2.name);
    const activatedBefore = (await n2.stats()).activated;
    assert.equal(await n1.ask<number>(a, { type: 'inc', by: 3, tag: 'via-1' }), 3);
    assert.equal((await n2.stats()).activated, activatedBefore + 1);
    await n3.send(a, { type: 'inc', tag: 'via-3' });
    const ctx = await waitFor('send via node 3', async () => {
      const s = await n1.read<CounterContext>(a);
      return s?.context.count === 4 ? s.context : null;
    });
    assert.deepEqual(ctx.tags, ['via-1', 'via-3']);
  });

  it('SIGKILL of the owner while a timer is pending: the timer fires once, after the lease moves', async () => {
    const [n1, n2] = nodes as [ActorNode, ActorNode];
    const a = await addressOn(n1, n2);
    const due = Date.now() + 800;
    assert.equal(await n1.ask(a, { type: 'arm', key: 'ring', dueAt: due }), 'armed');
    // 1. the owner dies without releasing anything
    n2.signal('SIGKILL');
    await n2.exited;
    // 2. another node claims the shard when the lease expires, and fires the durable timer
    const ctx = await waitFor(
      'timer fired elsewhere',
      async () => {
        const s = await n1.read<CounterContext>(a);
        return s?.context.rings.length ? s.context : null;
      },
      20_000,
    );
    const firedAt = ctx.rings[0]!.at;
    assert.ok(firedAt >= due, 'not before its due time');
    assert.ok(firedAt <= due + LEASE_TTL_MS + 2500, `fired ${firedAt - due} ms after due`);
    // 3. exactly once: in the state, and on the bus
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await n1.read<CounterContext>(a))!.context.rings.length, 1);
    const published = effects.seen.filter((e) => e.effectId.startsWith(`counter:${a.id}:`));
    assert.equal(published.length, 1);
    assert.deepEqual(published[0]!.effect, { type: 'rang', key: 'ring', at: firedAt });
    assert.notEqual(published[0]!.node, n2.name);
    nodes.splice(1, 1); // the cluster goes on with nodes 1 and 3
    await converged(nodes);
  });

  it('SIGSTOP mid-event past the lease TTL, then SIGCONT: its write is rejected by the epoch fence', async () => {
    const [n1, n3] = nodes as [ActorNode, ActorNode];
    const a = await addressOn(n1, n3);
    assert.equal(await n1.ask<number>(a, { type: 'inc', tag: 'before' }), 1); // active on node 3
    // 1. node 3 starts a slow event (pure, CPU-bound: like a long GC pause), and is frozen inside it
    const slow = n1.ask(a, { type: 'burn', n: 1e9 }, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    n3.signal('SIGSTOP');
    try {
      // 2. a send through node 1 is accepted; the lease expires; node 1 claims the shard, fences the
      //    actor with its newer epoch and handles the send
      await n1.send(a, { type: 'inc', tag: 'during' });
      await waitFor(
        'new owner handled the send',
        async () => {
          const owner = (await n1.locate(a)).owner;
          const s = await n1.read<CounterContext>(a);
          return owner === n1.name && s?.context.count === 2;
        },
        20_000,
      );
    } finally {
      // 3. thaw node 3: it finishes the event and commits with its old epoch
      n3.signal('SIGCONT');
    }
    const stats = await waitFor('node 3 fenced off', async () => {
      const s = await n3.stats();
      return s.staleWrites >= 1 && s.activationsStoppedByLease >= 1 ? s : null;
    });
    assert.equal(stats.activations, 0, 'node 3 stopped the stale activation');
    // 4. the slow event was provably not committed, so the ask was retried at the new owner: it is
    //    handled exactly once, there
    assert.equal(await slow, 'burnt');
    const final = (await n1.read<CounterContext>(a))!.context;
    assert.deepEqual(final.tags, ['before', 'during'], 'each event applied once');
    assert.equal(final.burns.length, 1, 'the slow event committed once, by the new owner');
    await converged(nodes);
  });
});
