/**
 * `npm run bench -- actors`: the actor runtime (engine/actors) on PostgreSQL + NATS + Redis, two
 * nodes (test/fixtures/actor-node.ts child processes, driven over IPC; every figure is timed inside
 * the node, so IPC is not in it). Measures:
 *   - ask round trip, cross-node (actor on the other node, read-only event) against a bare NATS
 *     request/reply between the same two processes, in alternating rounds; and local (read-only,
 *     and mutating = one commit);
 *   - cold activation p50/p99, fresh (first event ever: fence + initial commit) and restored
 *     (passivated actor: fence + snapshot load), and activations/s with 200 in flight;
 *   - events/s through one actor, by concurrent asks (group commit) and by durable sends;
 *   - failover: SIGKILL the owner, time until an ask through the survivor is answered.
 * Targets (issue 3): cross-node ask ≤ 1.3× bare NATS, cold activation p99 < 10 ms, ≥ 1,000 events/s
 * through one actor, failover ≤ 5 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BenchContext } from '../lib/context.ts';
import { ActorNode, converged, waitFor } from '../../test/fixtures/actor-cluster.ts';
import type { CounterContext } from '../../test/fixtures/actor-kinds.ts';

export const name = 'actors';
export const description =
  'actor runtime: cross-node ask vs bare NATS, cold activation, events/s through one actor, failover';

const SHARDS = 64;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => (x < 1 ? x.toFixed(3) : x.toFixed(2));
const ids = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ kind: 'counter', id: `${tag}${i}` }));

export async function run(ctx: BenchContext): Promise<void> {
  const ns = `bench${randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-bench-actors-'));
  const env = (nodeId: number) => ({
    ...ctx.services,
    NAMESPACE: ns,
    NODE_ID: String(nodeId),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ACTOR_SHARDS: String(SHARDS),
    ACTOR_IDLE_MS: '1500',
  });
  const rows: Array<[string, string, string]> = [];
  const row = (what: string, figure: string, target = '') => {
    rows.push([what, figure, target]);
    ctx.progress(`${what}: ${figure}`);
  };
  ctx.progress('starting two actor nodes');
  const nodes = await Promise.all([1, 2].map((i) => ActorNode.start(`a${i}`, env(940 + i))));
  const [a, b] = nodes as [ActorNode, ActorNode];
  try {
    await converged(nodes, SHARDS, 60_000);
    const local = async (owner: ActorNode, n: number, tag: string) => {
      const out = [];
      for (const x of ids(n * 4 + 64, `${ns}${tag}`))
        if ((await a.locate(x)).owner === owner.name) out.push(x);
      return out.slice(0, n);
    };

    // 1. ask round trip: cross-node vs bare NATS request/reply, alternating rounds
    const echo = `${ns}.bench.echo`;
    await b.call('echo', { subject: echo });
    const [remote] = await local(b, 1, 'remote');
    await a.ask(remote!, { type: 'inc' });
    const get = { type: 'get' };
    const bare: number[] = [];
    const cross: number[] = [];
    await a.call('busRtt', { subject: echo, n: 300 }); // warm-up
    await a.call('askMany', { address: remote, events: Array(300).fill(get) });
    const ratios: number[] = [];
    for (let r = 0; r < 7; r++) {
      ctx.progress(`ask round trip, round ${r + 1}/7`);
      const b1 = await a.call<number[]>('busRtt', { subject: echo, n: 400 });
      const c1 = await a.call<number[]>('askMany', { address: remote, events: Array(400).fill(get) });
      bare.push(...b1);
      cross.push(...c1);
      ratios.push(pct(c1, 50) / pct(b1, 50));
    }
    const ratio = pct(cross, 50) / pct(bare, 50);
    const roundRatios = ratios.sort((x, y) => x - y);
    row(
      'bare NATS request/reply (same two processes)',
      `p50 ${ms(pct(bare, 50))} ms, p99 ${ms(pct(bare, 99))} ms`,
    );
    row(
      'ask, cross-node (read-only)',
      `p50 ${ms(pct(cross, 50))} ms, p99 ${ms(pct(cross, 99))} ms; p50 ${ratio.toFixed(2)}× bare ` +
        `(per-round ratios ${roundRatios.map((x) => x.toFixed(2)).join(', ')})`,
      '≤ 1.3× bare',
    );
    const [mine] = await local(a, 1, 'local');
    await a.ask(mine!, { type: 'inc' });
    const localGet = await a.call<number[]>('askMany', { address: mine, events: Array(2000).fill(get) });
    row('ask, local (read-only)', `p50 ${ms(pct(localGet, 50))} ms, p99 ${ms(pct(localGet, 99))} ms`);
    const localInc = await a.call<number[]>('askMany', {
      address: mine,
      events: Array(1000).fill({ type: 'inc' }),
    });
    row(
      'ask, local (mutating: one commit each)',
      `p50 ${ms(pct(localInc, 50))} ms, p99 ${ms(pct(localInc, 99))} ms`,
    );

    // 2. cold activations on node a: fresh actors (first event ever), then restored from Postgres
    ctx.progress('cold activations');
    const db = await a.call<number[]>('dbRtt', { n: 300 });
    row('bare `select 1` round trip (same pool)', `p50 ${ms(pct(db, 50))} ms, p99 ${ms(pct(db, 99))} ms`);
    const fresh = await local(a, 600, 'cold');
    const first = fresh.slice(0, 300);
    const second = fresh.slice(300);
    const freshTimes = await a.call<number[]>('askEach', { addresses: first, event: get });
    row(
      'cold activation, fresh actor (fence insert; sequential)',
      `p50 ${ms(pct(freshTimes, 50))} ms, p99 ${ms(pct(freshTimes, 99))} ms`,
      'p99 < 10 ms',
    );
    const burst = await a.call<{ totalMs: number }>('askConcurrent', { addresses: second, event: get });
    row('activations/s, fresh actors, 300 at once', `${Math.round(300 / (burst.totalMs / 1000))}/s`);
    await a.call('askConcurrent', { addresses: fresh, event: { type: 'inc' } }); // commit state for all
    await waitFor('passivation', async () => (await a.stats()).activations <= 2, 20_000, 200);
    const restored = await a.call<number[]>('askEach', { addresses: first, event: get });
    row(
      'cold activation, restored from Postgres (sequential)',
      `p50 ${ms(pct(restored, 50))} ms, p99 ${ms(pct(restored, 99))} ms`,
      'p99 < 10 ms',
    );
    const burst2 = await a.call<{ totalMs: number }>('askConcurrent', { addresses: second, event: get });
    row('activations/s, restored actors, 300 at once', `${Math.round(300 / (burst2.totalMs / 1000))}/s`);

    // 3. events per second through one actor
    ctx.progress('events through one actor');
    const [hot] = await local(a, 1, 'hot');
    await a.ask(hot!, { type: 'inc' });
    let t = performance.now();
    for (let r = 0; r < 5; r++)
      await a.call('askConcurrent', { addresses: Array(900).fill(hot), event: { type: 'inc' } });
    const askRate = 4500 / ((performance.now() - t) / 1000);
    row(
      'events/s through one actor, concurrent asks (900 in flight)',
      `${Math.round(askRate)}/s`,
      '≥ 1,000/s',
    );
    const before = (await a.read<CounterContext>(hot!))!.context.count;
    t = performance.now();
    await a.call('sendMany', { address: hot, events: Array(3000).fill({ type: 'inc' }) });
    const acceptedMs = performance.now() - t;
    await waitFor(
      'sends handled',
      async () => (await a.read<CounterContext>(hot!))!.context.count >= before + 3000,
      60_000,
      20,
    );
    const sendRate = 3000 / ((performance.now() - t) / 1000);
    row(
      'events/s through one actor, 3,000 durable sends',
      `${Math.round(sendRate)}/s handled (accepted in ${Math.round(acceptedMs)} ms)`,
      '≥ 1,000/s',
    );

    // 4. failover: SIGKILL the owner; time until the survivor answers for its actor
    ctx.progress('failover');
    await b.ask(remote!, { type: 'inc' });
    b.signal('SIGKILL');
    const killedAt = performance.now();
    await waitFor(
      'failover',
      async () => {
        await a.ask(remote!, get, 1000);
        return true;
      },
      60_000,
      10,
    );
    row(
      'failover (SIGKILL owner → ask answered by the survivor)',
      `${((performance.now() - killedAt) / 1000).toFixed(2)} s`,
      '≤ 5 s',
    );
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  ctx.note(
    'Two actor nodes (child processes) on PostgreSQL + NATS + Redis; defaults except ACTOR_SHARDS=64, ACTOR_IDLE_MS=1500.',
  );
  for (const [w, f, tg] of rows) ctx.note(`${w}: ${f}${tg ? ` (target ${tg})` : ''}`);
}
