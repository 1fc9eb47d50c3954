/**
 * social-graph-api "Follow Limits": at most FOLLOW_MAX followed accounts (pending requests count;
 * a clear 400 at the limit), rapid follows rate limited (RATE_LIMIT_FOLLOW → 429 with Retry-After),
 * and counts that stay consistent under concurrent follow/unfollow.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUser, registerUsers } from '../helpers/users.ts';
import { follow, ok, setPreferences } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { FOLLOW_MAX: '3', RATE_LIMIT_FOLLOW: '1000/60' } });
});
after(async () => {
  await t.close();
});

test('the follow after FOLLOW_MAX is a 400 naming the limit; pending requests count; unfollowing frees a slot', async () => {
  const me = await registerUser(t);
  const others = await registerUsers(t, 5);
  await setPreferences(t, others[2]!, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, me, others[0]!), 'accepted');
  assert.equal(await follow(t, me, others[1]!), 'accepted');
  assert.equal(await follow(t, me, others[2]!), 'pending');
  const over = await t.api('POST', `/follows/${others[3]!.id}`, { token: me.accessToken });
  assert.equal(over.status, 400);
  assert.equal(over.body.error.code, 'BAD_REQUEST');
  assert.match(over.body.error.message, /at most 3 accounts/);
  assert.equal(over.body.error.data.limit, 3);
  // Nothing was written for the refused follow.
  assert.equal(
    (await ok(t.api('GET', `/follows/status/${others[3]!.id}`, { token: me.accessToken }))).isFollowing,
    false,
  );
  assert.equal(
    (await ok(t.api('GET', `/follows/counts/${others[3]!.id}`, { token: me.accessToken }))).followerCount,
    0,
  );

  await ok(t.api('DELETE', `/follows/${others[2]!.id}`, { token: me.accessToken }), 204);
  assert.equal(await follow(t, me, others[3]!), 'accepted');
  assert.equal(
    (await ok(t.api('GET', `/follows/counts/${me.id}`, { token: me.accessToken }))).followingCount,
    3,
  );
});

test('50 concurrent follow/unfollow pairs leave counts, lists and statuses consistent', async () => {
  const target = await registerUser(t);
  const users = await registerUsers(t, 50);
  // 1. Everyone follows and unfollows at the same time: each final state is a race, but the
  //    counts must agree with the rows.
  await Promise.all(
    users.map((u) =>
      Promise.all([
        t.api('POST', `/follows/${target.id}`, { token: u.accessToken }),
        t.api('DELETE', `/follows/${target.id}`, { token: u.accessToken }),
      ]),
    ),
  );
  const statuses = await Promise.all(
    users.map((u) => ok(t.api('GET', `/follows/status/${target.id}`, { token: u.accessToken }))),
  );
  const following = statuses.filter((s) => s.isFollowing).length;
  const counts = await ok(t.api('GET', `/follows/counts/${target.id}`, { token: target.accessToken }));
  const list = await ok(
    t.api('GET', `/follows/${target.id}/followers?limit=1000`, { token: target.accessToken }),
  );
  assert.equal(counts.followerCount, following);
  assert.equal(list.length, following);

  // 2. Then everyone follows at once: exactly 50; then everyone unfollows at once: exactly 0.
  const results = await Promise.all(
    users.map((u) => t.api('POST', `/follows/${target.id}`, { token: u.accessToken })),
  );
  assert.deepEqual(new Set(results.map((r) => `${r.status}:${r.body.status}`)), new Set(['200:accepted']));
  assert.equal(
    (await ok(t.api('GET', `/follows/counts/${target.id}`, { token: target.accessToken }))).followerCount,
    50,
  );
  await Promise.all(users.map((u) => t.api('DELETE', `/follows/${target.id}`, { token: u.accessToken })));
  assert.equal(
    (await ok(t.api('GET', `/follows/counts/${target.id}`, { token: target.accessToken }))).followerCount,
    0,
  );
  assert.deepEqual(
    await ok(t.api('GET', `/follows/${target.id}/followers`, { token: target.accessToken })),
    [],
  );
});

test('rapid follows are rate limited per user (429 with Retry-After)', async () => {
  const rt = await TestContext.start({ env: { RATE_LIMIT_FOLLOW: '3/60' } });
  try {
    const me = await registerUser(rt);
    const [other] = await registerUsers(rt, 1);
    const others = await registerUsers(rt, 4);
    for (const o of others.slice(0, 3)) assert.equal(await follow(rt, me, o), 'accepted');
    const limited = await rt.api('POST', `/follows/${others[3]!.id}`, { token: me.accessToken });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(
      (await ok(rt.api('GET', `/follows/counts/${me.id}`, { token: me.accessToken }))).followingCount,
      3,
    );
    // Per user: someone else may still follow.
    assert.equal(await follow(rt, other!, others[3]!), 'accepted');
  } finally {
    await rt.close();
  }
});
