/**
 * spec/social-graph-api.txt served at /api/v1 over reef's services, endpoint by endpoint: user
 * following, reposts, user profile, profile update, search, minutes-left, contact info (30/min),
 * notification subscriptions and FCM tokens. `{user}` is a reef user id; track = post.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUser, registerUsers, type TestUser } from '../helpers/users.ts';
import { createPost, ok } from '../social/helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { RATE_LIMIT_CONTACT_INFO: '30/60', REPOST_LIMIT_HOURLY: '3' } });
});
after(async () => {
  await t.close();
});

const v1 = (method: string, path: string, token?: string, body?: unknown) =>
  t.api(method, `/api/v1${path}`, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });

test('follow / unfollow / follow-status / followers / followed-users', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  const f = await ok(v1('POST', `/users/${b!.id}/follow`, a!.accessToken));
  assert.deepEqual(f, { status: 'success', isFollowing: true, followStatus: 'accepted' });
  await ok(v1('POST', `/users/${b!.id}/follow`, c!.accessToken));

  // reef's own API sees the same follow.
  const reefStatus = await ok(t.api('GET', `/follows/status/${b!.id}`, { token: a!.accessToken }));
  assert.equal(reefStatus.isFollowing, true);

  const st = await ok(v1('GET', `/users/${b!.id}/follow-status`, a!.accessToken));
  assert.deepEqual(st, {
    status: 'success',
    isFollowing: true,
    isFollowedBy: false,
    followRequestPending: false,
  });
  const back = await ok(v1('GET', `/users/${a!.id}/follow-status`, b!.accessToken));
  assert.equal(back.isFollowing, false);
  assert.equal(back.isFollowedBy, true);
  // Anonymous: optional auth, nobody is followed.
  assert.equal((await ok(v1('GET', `/users/${b!.id}/follow-status`))).isFollowing, false);

  const followers = await ok(v1('GET', `/users/${b!.id}/followers?perPage=1`));
  assert.equal(followers.status, 'success');
  assert.equal(followers.pagination.data.length, 1);
  assert.equal(followers.pagination.current_page, 1);
  assert.equal(followers.pagination.per_page, 1);
  assert.equal(followers.pagination.next_page, 2);
  const page2 = await ok(v1('GET', `/users/${b!.id}/followers?perPage=1&page=2`));
  assert.equal(page2.pagination.next_page, null);
  assert.deepEqual(
    [followers.pagination.data[0].id, page2.pagination.data[0].id].sort(),
    [a!.id, c!.id].sort(),
  );
  const followed = await ok(v1('GET', `/users/${a!.id}/followed-users`, a!.accessToken));
  assert.deepEqual(
    followed.pagination.data.map((u: any) => u.username),
    [b!.username],
  );
  // `me` resolves to the caller.
  const mine = await ok(v1('GET', `/users/me/followed-users`, a!.accessToken));
  assert.deepEqual(
    mine.pagination.data.map((u: any) => u.id),
    [b!.id],
  );

  const u = await ok(v1('POST', `/users/${b!.id}/unfollow`, a!.accessToken));
  assert.deepEqual(u, { status: 'success', isFollowing: false });
  const after = await ok(v1('GET', `/users/${b!.id}/followers`));
  assert.deepEqual(
    after.pagination.data.map((x: any) => x.id),
    [c!.id],
  );
});

test('follow errors: self-follow 400, unknown user 404, no token 401, bad id 400', async () => {
  const a = await registerUser(t);
  const self = await v1('POST', `/users/${a.id}/follow`, a.accessToken);
  assert.equal(self.status, 400);
  assert.match(self.body.error.message, /yourself/);
  assert.equal((await v1('POST', `/users/999999999999/follow`, a.accessToken)).status, 404);
  assert.equal((await v1('POST', `/users/${a.id}/follow`)).status, 401);
  assert.equal((await v1('POST', `/users/not-a-user/follow`, a.accessToken)).status, 400);
  assert.equal((await v1('GET', `/users/999999999999/followers`)).status, 404);
});

test('follow limits: at most FOLLOW_MAX accounts (400); too many follows in quick succession → 429', async () => {
  // FOLLOW_MAX is 5,000 by default; 2 here. RATE_LIMIT_FOLLOW counts every attempt (3 per window here).
  const local = await TestContext.start({ env: { RATE_LIMIT_FOLLOW: '3/60', FOLLOW_MAX: '2' } });
  try {
    const [a, b, c, d, e] = await registerUsers(local, 5);
    const followAs = (u: TestUser, target: TestUser) =>
      local.api('POST', `/api/v1/users/${target.id}/follow`, { token: u.accessToken });
    for (const target of [b!, c!]) assert.equal((await followAs(a!, target)).status, 200);
    const over = await followAs(a!, d!);
    assert.equal(over.status, 400);
    assert.match(over.body.error.message, /at most 2/);
    const followed = await ok(local.api('GET', `/api/v1/users/${a!.id}/followed-users`));
    assert.deepEqual(followed.pagination.data.map((u: any) => u.id).sort(), [b!.id, c!.id].sort());
    const limited = await followAs(a!, e!);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  } finally {
    await local.close();
  }
});

test('reposts toggle: repost, then remove; the user’s reposts list; self-repost 400; hourly limit 429', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  const p = await createPost(t, a!, { body: `track ${uniq('w')}` });
  const on = await ok(v1('POST', '/reposts/toggle', b!.accessToken, { track_id: p.id }));
  assert.equal(on.status, 'success');
  assert.equal(on.reposted, true);
  assert.equal(on.repost.track.id, p.id);

  const list = await ok(v1('GET', `/users/${b!.id}/reposts`, c!.accessToken));
  assert.deepEqual(
    list.pagination.data.map((x: any) => x.track.id),
    [p.id],
  );
  assert.equal(list.pagination.data[0].id, on.repost.id);

  const off = await ok(v1('POST', '/reposts/toggle', b!.accessToken, { track_id: p.id }));
  assert.deepEqual(off, { status: 'success', reposted: false, action: 'removed' });
  assert.deepEqual((await ok(v1('GET', `/users/${b!.id}/reposts`))).pagination.data, []);

  const self = await v1('POST', '/reposts/toggle', a!.accessToken, { track_id: p.id });
  assert.equal(self.status, 400);
  assert.equal(
    (await v1('POST', '/reposts/toggle', b!.accessToken, { track_id: '999999999999' })).status,
    404,
  );
  assert.equal((await v1('POST', '/reposts/toggle', b!.accessToken, {})).status, 400);
  assert.equal((await v1('POST', '/reposts/toggle', undefined, { track_id: p.id })).status, 401);

  // REPOST_LIMIT_HOURLY is 3 here: the toggle above counts as one.
  const more = await Promise.all([1, 2, 3].map((i) => createPost(t, a!, { body: `more ${i}` })));
  assert.equal((await v1('POST', '/reposts/toggle', c!.accessToken, { track_id: more[0].id })).status, 200);
  assert.equal((await v1('POST', '/reposts/toggle', c!.accessToken, { track_id: more[1].id })).status, 200);
  assert.equal((await v1('POST', '/reposts/toggle', c!.accessToken, { track_id: more[2].id })).status, 200);
  const limited = await v1('POST', '/reposts/toggle', c!.accessToken, { track_id: p.id });
  assert.equal(limited.status, 429);
  assert.match(limited.body.error.message, /per hour/);
});

test('user profile (enhanced when authenticated) and profile update', async () => {
  const [a, b] = await registerUsers(t, 2);
  await ok(v1('POST', `/users/${b!.id}/follow`, a!.accessToken));
  const anon = await ok(v1('GET', `/user-profile/${b!.id}`));
  assert.equal(anon.status, 'success');
  assert.equal(anon.user.id, b!.id);
  assert.equal(anon.user.username, b!.username);
  assert.equal(anon.user.followersCount, 1);
  assert.equal(anon.user.email, undefined);
  assert.equal(anon.isFollowing, undefined);
  const authed = await ok(v1('GET', `/user-profile/${b!.id}`, a!.accessToken));
  assert.equal(authed.isFollowing, true);
  assert.equal((await v1('GET', `/user-profile/999999999999`)).status, 404);

  const up = await ok(
    v1('PUT', '/users/profile/update', b!.accessToken, { display_name: 'New Name', bio: 'hi' }),
  );
  assert.equal(up.status, 'success');
  assert.equal(up.user.displayName, 'New Name');
  const seen = await ok(t.api('GET', `/users/${b!.id}`, { token: a!.accessToken }));
  assert.equal(seen.displayName, 'New Name');
  assert.equal(seen.bio, 'hi');
  assert.equal((await v1('PUT', '/users/profile/update', b!.accessToken, { baseColor: 'red' })).status, 400);
  assert.equal((await v1('PUT', '/users/profile/update', undefined, { bio: 'x' })).status, 401);
});

test('search users; minutes-left is null; contact info behind the profile gate, 30 per minute', async () => {
  const word = uniq('srch');
  const [a, b] = await Promise.all([registerUser(t), registerUser(t, { username: `${word}x` })]);
  const s = await ok(v1('GET', `/users/search?query=${word}`, a.accessToken));
  assert.equal(s.status, 'success');
  assert.deepEqual(
    s.users.map((u: any) => u.id),
    [b.id],
  );
  assert.equal((await v1('GET', `/users/search?query=x`, a.accessToken)).status, 400);

  assert.deepEqual(await ok(v1('GET', `/users/${b.id}/minutes-left`)), {
    status: 'success',
    minutesLeft: null,
  });
  assert.equal((await v1('GET', `/users/999999999999/minutes-left`)).status, 404);

  const own = await ok(v1('GET', `/users/me/contact-info`, b.accessToken));
  assert.equal(own.contactInfo.email, b.email);
  const other = await ok(v1('GET', `/users/${b.id}/contact-info`, a.accessToken));
  assert.equal(other.contactInfo.username, b.username);
  assert.equal(other.contactInfo.email, null);
  assert.ok(Array.isArray(other.contactInfo.links));
  await ok(
    t.api('PUT', '/users/preferences', { token: b.accessToken, body: { profileVisibility: 'private' } }),
  );
  assert.equal((await v1('GET', `/users/${b.id}/contact-info`, a.accessToken)).status, 403);
  assert.equal((await v1('GET', `/users/${b.id}/contact-info`)).status, 401);

  // a has used 2 of 30 in this window.
  for (let i = 0; i < 28; i++)
    assert.equal((await v1('GET', `/users/me/contact-info`, a.accessToken)).status, 200);
  const over = await v1('GET', `/users/me/contact-info`, a.accessToken);
  assert.equal(over.status, 429);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
});

test('notification subscriptions: get and update through me or the numeric id', async () => {
  const [a, b] = await registerUsers(t, 2);
  const g = await ok(v1('GET', '/notifications/me/subscriptions', a!.accessToken));
  assert.equal(g.status, 'success');
  assert.deepEqual(g.available_channels, ['email', 'in_app', 'mobile']);
  assert.ok(g.subscriptions.length > 0);
  assert.deepEqual(Object.keys(g.user_context).sort(), ['is_artist', 'is_verified_artist']);
  const type = g.user_selections[0].notif_id;
  const put = await ok(
    v1('PUT', `/notifications/${a!.id}/subscriptions`, a!.accessToken, {
      selections: [{ notif_id: type, channels: { email: false, mobile: false } }],
    }),
  );
  assert.deepEqual(put, { status: 'success' });
  // reef's own endpoint shows the change.
  const reef = await ok(t.api('GET', '/notifications/me/subscriptions', { token: a!.accessToken }));
  const sel = reef.user_selections.find((s: any) => s.notif_id === type);
  assert.equal(sel.channels.email, false);
  assert.equal(sel.channels.mobile, false);
  assert.equal((await v1('GET', `/notifications/${b!.id}/subscriptions`, a!.accessToken)).status, 403);
  assert.equal(
    (
      await v1('PUT', '/notifications/me/subscriptions', a!.accessToken, {
        selections: [{ notif_id: 'nope', channels: {} }],
      })
    ).status,
    400,
  );
  assert.equal((await v1('GET', '/notifications/me/subscriptions')).status, 401);
});

test('FCM tokens: { status: "ok" }, upsert by token value (ownership moves), DELETE with a JSON body', async () => {
  const [a, b] = await registerUsers(t, 2);
  const token = `fcm-${uniq('t')}`;
  const db = t.reef.engine.db.db;
  const row = () => db.selectFrom('devices').selectAll().where('token', '=', token).executeTakeFirst();
  assert.deepEqual(
    await ok(v1('POST', '/fcm-tokens', a!.accessToken, { token, platform: 'web', device_name: 'Firefox' })),
    {
      status: 'ok',
    },
  );
  assert.equal((await row())?.user_id, a!.id);
  assert.equal((await row())?.platform, 'web');
  // Re-registering refreshes it; from another account it changes owner (one row).
  assert.deepEqual(await ok(v1('POST', '/fcm-tokens', b!.accessToken, { token })), { status: 'ok' });
  assert.equal((await row())?.user_id, b!.id);
  const count = await db
    .selectFrom('devices')
    .select(db.fn.countAll().as('n'))
    .where('token', '=', token)
    .executeTakeFirst();
  assert.equal(Number(count?.n), 1);
  assert.equal(
    (await v1('POST', '/fcm-tokens', b!.accessToken, { token, platform: 'blackberry' })).status,
    400,
  );
  assert.equal((await v1('POST', '/fcm-tokens', b!.accessToken, {})).status, 400);

  // Only the owner removes it.
  assert.deepEqual(await ok(v1('DELETE', '/fcm-tokens', a!.accessToken, { token })), { status: 'ok' });
  assert.ok(await row());
  assert.deepEqual(await ok(v1('DELETE', '/fcm-tokens', b!.accessToken, { token })), { status: 'ok' });
  assert.equal(await row(), undefined);
  assert.equal((await v1('DELETE', '/fcm-tokens', b!.accessToken, {})).status, 400);
  assert.equal((await v1('DELETE', '/fcm-tokens', undefined, { token })).status, 401);
});

test('cross-surface: a repost toggled through /api/v1/reposts/toggle appears in the reef feed', async () => {
  const [author, reposter, reader] = await registerUsers(t, 3);
  await ok(v1('POST', `/users/${reposter!.id}/follow`, reader!.accessToken));
  const p = await createPost(t, author!, { body: `cross ${uniq('w')}` });
  const on = await ok(v1('POST', '/reposts/toggle', reposter!.accessToken, { track_id: p.id }));
  const feed = await ok(t.api('GET', '/follows/feed', { token: reader!.accessToken }));
  const item = feed.find((x: any) => x.id === on.repost.id);
  assert.ok(item, 'the repost is in the follower’s feed');
  assert.equal(item.authorId, reposter!.id);
  assert.equal(item.originalPostId, p.id);
  assert.equal(item.originalPost.body, p.body);
  // Toggled off, it leaves the feed.
  await ok(v1('POST', '/reposts/toggle', reposter!.accessToken, { track_id: p.id }));
  const after = await ok(t.api('GET', '/follows/feed', { token: reader!.accessToken }));
  assert.equal(
    after.find((x: any) => x.id === on.repost.id),
    undefined,
  );
});
