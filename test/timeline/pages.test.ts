/**
 * Pages (following-guide "Following Producers"): a socialEnabled space is followed like a producer
 * page, separately from membership; its followers get `new_upload` when the page posts; following a
 * page is liking it (it shows in the follower's library).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { createSpace } from '../spaces/helpers.ts';
import { createPage, notifications, ok, pagePost } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { RATE_LIMIT_FOLLOW: '4/600' } });
});
after(async () => {
  await t.close();
});

test('follow / status / followers / unfollow a page, separately from membership', async () => {
  const { space } = await createPage(t);
  const [fan, other] = await registerUsers(t, 2);
  const before = await ok(t.api('GET', `/pages/${space.id}/follow`, { token: fan!.accessToken }));
  assert.deepEqual(before, { spaceId: space.id, isFollowing: false, followerCount: 0 });

  const st = await ok(t.api('POST', `/pages/${space.id}/follow`, { token: fan!.accessToken }));
  assert.deepEqual(st, { spaceId: space.id, isFollowing: true, followerCount: 1 });
  // Idempotent.
  assert.equal(
    (await ok(t.api('POST', `/pages/${space.id}/follow`, { token: fan!.accessToken }))).followerCount,
    1,
  );

  // Another user's view: the count, not their own state.
  assert.deepEqual(await ok(t.api('GET', `/pages/${space.id}/follow`, { token: other!.accessToken })), {
    spaceId: space.id,
    isFollowing: false,
    followerCount: 1,
  });
  const followers = await ok<any[]>(
    t.api('GET', `/pages/${space.id}/followers`, { token: other!.accessToken }),
  );
  assert.deepEqual(
    followers.map((f) => f.id),
    [fan!.id],
  );
  assert.equal(followers[0].username, fan!.username);
  assert.ok(followers[0].followedAt);

  // Following is not membership: the member list is unchanged.
  const members = await ok<any[]>(
    t.api('GET', `/spaces/${space.id}/members`, { token: space.owner.accessToken }),
  );
  assert.ok(members.length >= 1);
  assert.ok(!members.some((m) => m.userId === fan!.id));

  // It is in the fan's library (liked pages) and in /pages/followed, from another user's view too.
  const liked = await ok<any[]>(
    t.api('GET', `/library/pages?userId=${fan!.id}`, { token: other!.accessToken }),
  );
  assert.deepEqual(
    liked.map((p) => [p.id, p.slug]),
    [[space.id, space.slug]],
  );
  const followed = await ok<any[]>(t.api('GET', '/pages/followed', { token: fan!.accessToken }));
  assert.deepEqual(
    followed.map((p) => p.id),
    [space.id],
  );

  assert.equal((await t.api('DELETE', `/pages/${space.id}/follow`, { token: fan!.accessToken })).status, 204);
  assert.deepEqual(await ok(t.api('GET', `/pages/${space.id}/follow`, { token: fan!.accessToken })), {
    spaceId: space.id,
    isFollowing: false,
    followerCount: 0,
  });
  assert.deepEqual(await ok(t.api('GET', `/pages/${space.id}/followers`, { token: fan!.accessToken })), []);
});

test('only a socialEnabled space is a page: 404 otherwise', async () => {
  const plain = await createSpace(t);
  const [fan] = await registerUsers(t, 1);
  for (const [m, p] of [
    ['POST', `/pages/${plain.id}/follow`],
    ['GET', `/pages/${plain.id}/follow`],
    ['GET', `/pages/${plain.id}/followers`],
    ['POST', `/pages/987654321012345678/follow`],
  ] as const) {
    const res = await t.api(m, p, { token: fan!.accessToken });
    assert.equal(res.status, 404, `${m} ${p}: ${res.text}`);
    assert.equal((res.body as any).error.code, 'NOT_FOUND');
  }
  assert.equal((await t.api('POST', `/pages/abc/follow`, { token: fan!.accessToken })).status, 400);
  assert.equal((await t.api('POST', `/pages/${plain.id}/follow`)).status, 401);
});

test('a page post notifies its followers (new_upload), not the poster nor non-followers', async () => {
  const { space, manager } = await createPage(t);
  const [fan1, fan2, bystander] = await registerUsers(t, 3);
  for (const u of [fan1!, fan2!, manager])
    await ok(t.api('POST', `/pages/${space.id}/follow`, { token: u.accessToken }));
  await ok(t.api('DELETE', `/pages/${space.id}/follow`, { token: fan2!.accessToken }), 204);

  const post = await pagePost(t, manager, space.id, 'fresh beats from the page');
  const mine = (await notifications(t, fan1!)).filter((n) => n.type === 'new_upload');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].data.postId, post.id);
  assert.equal(mine[0].data.spaceId, space.id);
  assert.equal(mine[0].data.spaceSlug, space.slug);
  assert.equal(mine[0].data.preview, 'fresh beats from the page');
  for (const u of [fan2!, bystander!, manager])
    assert.deepEqual(
      (await notifications(t, u)).filter((n) => n.type === 'new_upload'),
      [],
      `${u.username} should not be notified`,
    );

  // A personal post by the manager is not a page post.
  const form = new FormData();
  form.set('body', 'my own post');
  await ok(t.api('POST', '/users/me/posts', { token: manager.accessToken, raw: form }), 201);
  assert.equal((await notifications(t, fan1!)).filter((n) => n.type === 'new_upload').length, 1);
});

test('page follows are rate limited with user follows (RATE_LIMIT_FOLLOW, 4 per window here)', async () => {
  const { space } = await createPage(t);
  const [fan, idol] = await registerUsers(t, 2);
  await ok(t.api('POST', `/follows/${idol!.id}`, { token: fan!.accessToken }));
  for (let i = 0; i < 3; i++) {
    await ok(t.api('POST', `/pages/${space.id}/follow`, { token: fan!.accessToken }));
    if (i < 2) await ok(t.api('DELETE', `/pages/${space.id}/follow`, { token: fan!.accessToken }), 204);
  }
  const limited = await t.api('POST', `/pages/${space.id}/follow`, { token: fan!.accessToken });
  assert.equal(limited.status, 429);
  assert.equal((limited.body as any).error.code, 'RATE_LIMITED');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  // Still following from the last accepted call.
  assert.equal(
    (await ok(t.api('GET', `/pages/${space.id}/follow`, { token: fan!.accessToken }))).isFollowing,
    true,
  );
});
