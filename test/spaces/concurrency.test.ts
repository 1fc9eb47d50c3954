import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('200 concurrent sends into one channel: each persisted once, ids strictly increasing, every socket sees id order', async () => {
  const space = await createSpace(t);
  const members = [space.owner, ...(await Promise.all(Array.from({ length: 9 }, () => addMember(t, space))))];
  const socks = await Promise.all(members.map((m) => SioClient.connect(t, m.accessToken)));
  try {
    for (const s of socks)
      assert.equal((await s.call('channel:join', { channelId: space.generalId })).ok, true);
    // 1. 200 sends at once from 10 members (20 each) over HTTP.
    const sends = Array.from({ length: 200 }, (_, i) =>
      t.api('POST', `/channels/${space.generalId}/messages`, {
        token: members[i % members.length]!.accessToken,
        body: { content: `m${i}` },
      }),
    );
    const results = await Promise.all(sends);
    assert.deepEqual([...new Set(results.map((r) => r.status))], [201]);
    const acked = results.map((r) => r.body.id as string);
    assert.equal(new Set(acked).size, 200);
    // 2. the rows: exactly these 200, once each.
    const rows = await t.reef.engine.db.db
      .selectFrom('messages')
      .select(['id', 'content'])
      .where('channel_id', '=', space.generalId)
      .orderBy('id')
      .execute();
    assert.equal(rows.length, 200);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(acked));
    assert.deepEqual(
      new Set(rows.map((r) => r.content)),
      new Set(Array.from({ length: 200 }, (_, i) => `m${i}`)),
    );
    // 3. the order of acceptance is the order of ids (creation times never go backwards with ids).
    const listed = await expectStatus(
      t.api('GET', `/channels/${space.generalId}/messages?after=0&limit=100`, {
        token: space.owner.accessToken,
      }),
      200,
    );
    const more = await expectStatus(
      t.api('GET', `/channels/${space.generalId}/messages?after=${listed[99].id}&limit=100`, {
        token: space.owner.accessToken,
      }),
      200,
    );
    const all = [...listed, ...more];
    assert.equal(all.length, 200);
    for (let i = 1; i < all.length; i++) {
      assert.ok(BigInt(all[i].id) > BigInt(all[i - 1].id));
      assert.ok(Date.parse(all[i].createdAt) >= Date.parse(all[i - 1].createdAt));
    }
    // 4. every member's socket got all 200, in strictly increasing id order.
    const sorted = [...acked].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    for (const s of socks) {
      await s.waitFor('message:new', () => s.named('message:new').length >= 200, 10_000);
      const ids = s.named('message:new').map((m) => m.id as string);
      assert.deepEqual(ids, sorted);
    }
    // 5. batching happened: fewer writes than messages.
    const w = t.reef.services.spaces.writer;
    assert.ok(w.batches < 200, `writer batches: ${w.batches}`);
  } finally {
    await Promise.all(socks.map((s) => s.close()));
  }
});
