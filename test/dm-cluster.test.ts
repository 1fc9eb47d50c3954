/**
 * DMs on two reef nodes sharing PostgreSQL, NATS and Redis: a conversation whose actor moves to the
 * other node in the middle of a stream of sends loses no acknowledged message, stores each once and
 * delivers each once, in id order. Needs the real services (REEF_TEST_SERVICES=1), skipped otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES, TestContext, uniq } from './context.ts';
import { registerUser } from './helpers/users.ts';
import { WsClient, barrier, until } from './realtime-clients.ts';

const skip = SERVICES ? false : 'two-node DM tests need NATS: run with REEF_TEST_SERVICES=1';
let a: TestContext;
let b: TestContext;

const clusterEnv = (ns: string, node: string) => ({
  NAMESPACE: ns,
  NODE_ID: node,
  ACTOR_SHARDS: '16',
  ACTOR_LEASE_TTL_MS: '2000',
  ACTOR_HEARTBEAT_MS: '200',
  ACTOR_MEMBER_TTL_MS: '1000',
  ACTOR_INBOX_POLL_MS: '200',
  ACTOR_OUTBOX_POLL_MS: '200',
  ACTOR_TIMER_POLL_MS: '200',
  DB_POOL_SIZE: '20',
});

before(async () => {
  if (!SERVICES) return;
  const ns = uniq('dmc');
  [a, b] = await Promise.all([
    TestContext.start({ env: clusterEnv(ns, '1') }),
    TestContext.start({ env: clusterEnv(ns, '2') }),
  ]);
  // Both nodes own shards before the test picks a conversation living on b.
  await until(
    () => a.reef.engine.actors.stats().ownedShards > 0 && b.reef.engine.actors.stats().ownedShards > 0,
    20_000,
    'both nodes owning shards',
  );
});
after(async () => {
  if (SERVICES) await Promise.all([a.close(), b.close()]);
});

test('a conversation moving to another node mid-stream loses no message', { skip }, async () => {
  // 1. a 1:1 conversation whose actor lives on node b (opened through node a)
  let conv = '';
  let sender = await registerUser(a);
  let recipient = await registerUser(a);
  for (let i = 0; i < 40 && !conv; i++) {
    const id = (await a.api('POST', `/conversations/with/${recipient.id}`, { token: sender.accessToken }))
      .body.id;
    if (a.reef.engine.actors.locate({ kind: 'conversation', id }).owner === b.reef.engine.nodeName) conv = id;
    else [sender, recipient] = [await registerUser(a), await registerUser(a)];
  }
  assert.ok(conv, 'found a conversation owned by node b');
  const listener = await WsClient.connect(a, recipient.accessToken);
  try {
    // 2. a stream of sends through node a, 4 in flight; node b leaves after the first third
    const N = 90;
    let next = 0;
    const acked: string[] = [];
    let stopping: Promise<void> | null = null;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < N) {
          const k = next++;
          if (k === 30) stopping = b.reef.close(); // 2a. node b leaves: its shards move to a
          const r = await a.api('POST', `/conversations/${conv}/messages`, {
            token: sender.accessToken,
            body: { content: `m${k}` },
          });
          assert.equal(r.status, 201, `send ${k}: ${r.text}`);
          acked.push(r.body.id);
        }
      }),
    );
    await stopping;
    // 3. the actor now lives on node a; every acknowledged message is stored once and delivered once
    assert.equal(
      a.reef.engine.actors.locate({ kind: 'conversation', id: conv }).owner,
      a.reef.engine.nodeName,
    );
    const rows = await a.reef.engine.db.db
      .selectFrom('dm_messages')
      .select(['id', 'content'])
      .where('conversation_id', '=', conv)
      .orderBy('id')
      .execute();
    assert.equal(rows.length, N);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(acked));
    assert.deepEqual(
      new Set(rows.map((r) => r.content)),
      new Set(Array.from({ length: N }, (_, k) => `m${k}`)),
    );
    await until(() => listener.named('dm:new').length >= N, 10_000, 'every dm:new');
    await barrier(a, `dm:${conv}`, [listener]);
    const delivered = listener.named('dm:new').map((m) => m.id);
    assert.equal(delivered.length, N, 'each delivered once');
    assert.deepEqual(
      delivered,
      rows.map((r) => r.id),
      'in id order',
    );
  } finally {
    await listener.close();
  }
});
