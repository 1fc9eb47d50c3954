/**
 * Spec "Follows": policies (accept_all, accept_mutual_spaces, require_approval), pending requests
 * both ways, accept / decline / remove follower, status, counts of accepted follows only, lists,
 * self-follow, blocks, and the follow:* socket events to each one's personal room.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUser } from '../helpers/users.ts';
import { SioClient, barrier } from '../realtime-clients.ts';
import { follow, ok, people, setPreferences } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

test('accept_all (the default): the follow is accepted at once; counts and lists show it', async () => {
  const [a, b] = await people(t, 2);
  const sock = await SioClient.connect(t, b.accessToken);
  try {
    await barrier(t, `user:${b.id}`, [sock]);
    assert.equal(await follow(t, a, b), 'accepted');
    // 1. The followee hears of the new follower on their personal room.
    const ev = await sock.waitFor('follow:new_follower');
    assert.equal(ev.followerId, a.id);
    assert.equal(ev.follower.username, a.username);
  } finally {
    await sock.close();
  }
  assert.deepEqual(await ok(t.api('GET', `/follows/status/${b.id}`, { token: a.accessToken })), {
    isFollowing: true,
    isFollowedBy: false,
    followRequestPending: false,
    incomingRequestPending: false,
  });
  assert.deepEqual(await ok(t.api('GET', `/follows/status/${a.id}`, { token: b.accessToken })), {
    isFollowing: false,
    isFollowedBy: true,
    followRequestPending: false,
    incomingRequestPending: false,
  });
  assert.deepEqual(await ok(t.api('GET', `/follows/counts/${b.id}`, { token: a.accessToken })), {
    followingCount: 0,
    followerCount: 1,
  });
  const followers = await ok(t.api('GET', `/follows/${b.id}/followers`, { token: a.accessToken }));
  assert.deepEqual(followers, [
    {
      id: a.id,
      username: a.username,
      displayName: a.user.displayName,
      avatarUrl: null,
      baseColor: null,
      accentColor: null,
    },
  ]);
  const following = await ok(t.api('GET', `/follows/${a.id}/following`, { token: b.accessToken }));
  assert.deepEqual(
    following.map((u: any) => u.id),
    [b.id],
  );
  // Following again is idempotent.
  assert.equal(await follow(t, a, b), 'accepted');
});

test('require_approval: pending both ways, not counted, request event + notification; accept emits follow:accepted', async () => {
  const [a, b] = await people(t, 2);
  await setPreferences(t, b, { followRequestPolicy: 'require_approval' });
  const bSock = await SioClient.connect(t, b.accessToken);
  const aSock = await SioClient.connect(t, a.accessToken);
  try {
    await barrier(t, `user:${b.id}`, [bSock]);
    await barrier(t, `user:${a.id}`, [aSock]);
    assert.equal(await follow(t, a, b), 'pending');
    const req = await bSock.waitFor('follow:request_received');
    assert.equal(req.followerId, a.id);
    const note = await bSock.waitFor('notification:new', (n) => n.type === 'follow_request');
    assert.equal(note.data.followerId, a.id);
    assert.equal(note.resolvedStatus, 'pending');

    // A second request while one is pending is a 400.
    const again = await t.api('POST', `/follows/${b.id}`, { token: a.accessToken });
    assert.equal(again.status, 400);
    assert.match(again.body.error.message, /already pending/);

    assert.deepEqual(
      (await ok(t.api('GET', '/follows/requests/pending', { token: b.accessToken }))).map((u: any) => u.id),
      [a.id],
    );
    assert.deepEqual(
      (await ok(t.api('GET', '/follows/requests/sent', { token: a.accessToken }))).map((u: any) => u.id),
      [b.id],
    );
    const status = await ok(t.api('GET', `/follows/status/${b.id}`, { token: a.accessToken }));
    assert.equal(status.isFollowing, false);
    assert.equal(status.followRequestPending, true);
    const incoming = await ok(t.api('GET', `/follows/status/${a.id}`, { token: b.accessToken }));
    assert.equal(incoming.incomingRequestPending, true);
    assert.equal(incoming.isFollowedBy, false);
    assert.deepEqual(await ok(t.api('GET', `/follows/counts/${b.id}`, { token: b.accessToken })), {
      followingCount: 0,
      followerCount: 0,
    });

    await ok(t.api('POST', `/follows/requests/${a.id}/accept`, { token: b.accessToken }));
    const accepted = await aSock.waitFor('follow:accepted');
    assert.equal(accepted.userId, b.id);
    assert.equal(
      (await ok(t.api('GET', `/follows/status/${b.id}`, { token: a.accessToken }))).isFollowing,
      true,
    );
    assert.equal(
      (await ok(t.api('GET', `/follows/counts/${b.id}`, { token: a.accessToken }))).followerCount,
      1,
    );
    // The notification now says what happened to the request.
    const list = await ok(t.api('GET', '/notifications', { token: b.accessToken }));
    const fr = list.find((n: any) => n.type === 'follow_request');
    assert.equal(fr.resolvedStatus, 'accepted');
    // Nothing pending any more: accepting again is a 400.
    const none = await t.api('POST', `/follows/requests/${a.id}/accept`, { token: b.accessToken });
    assert.equal(none.status, 400);
  } finally {
    await Promise.all([aSock.close(), bSock.close()]);
  }
});

test('decline deletes the request (400 when none is pending); resolvedStatus becomes rejected', async () => {
  const [a, b] = await people(t, 2);
  await setPreferences(t, b, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, a, b), 'pending');
  await ok(t.api('POST', `/follows/requests/${a.id}/decline`, { token: b.accessToken }));
  assert.deepEqual(await ok(t.api('GET', '/follows/requests/pending', { token: b.accessToken })), []);
  assert.deepEqual(await ok(t.api('GET', '/follows/requests/sent', { token: a.accessToken })), []);
  const again = await t.api('POST', `/follows/requests/${a.id}/decline`, { token: b.accessToken });
  assert.equal(again.status, 400);
  const list = await ok(t.api('GET', '/notifications', { token: b.accessToken }));
  assert.equal(list.find((n: any) => n.type === 'follow_request').resolvedStatus, 'rejected');
  // After a decline, a new request can be made.
  assert.equal(await follow(t, a, b), 'pending');
});

test('unfollow removes a pending or accepted follow; remove follower ends theirs', async () => {
  const [a, b, c] = await people(t, 3);
  await setPreferences(t, b, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, a, b), 'pending');
  assert.equal((await t.api('DELETE', `/follows/${b.id}`, { token: a.accessToken })).status, 204);
  assert.deepEqual(await ok(t.api('GET', '/follows/requests/pending', { token: b.accessToken })), []);

  assert.equal(await follow(t, c, a), 'accepted');
  assert.equal((await t.api('DELETE', `/follows/followers/${c.id}`, { token: a.accessToken })).status, 204);
  assert.equal(
    (await ok(t.api('GET', `/follows/status/${a.id}`, { token: c.accessToken }))).isFollowing,
    false,
  );
  const notFollower = await t.api('DELETE', `/follows/followers/${c.id}`, { token: a.accessToken });
  assert.equal(notFollower.status, 400);
});

test('accept_mutual_spaces: pending for a stranger, accepted for someone sharing a space', async () => {
  const [a, b] = await people(t, 2);
  await setPreferences(t, b, { followRequestPolicy: 'accept_mutual_spaces' });
  assert.equal(await follow(t, a, b), 'pending');
  await ok(t.api('DELETE', `/follows/${b.id}`, { token: a.accessToken }), 204);
  // The same rule with a space in common (the spaces feature answers "shares a space").
  const directory = t.reef.services.accounts.spaces;
  t.reef.services.accounts.spaces = {
    ...directory,
    shareSpace: async (_db, x, y) =>
      (x === a.id && y === b.id) || (x === b.id && y === a.id) || directory.shareSpace(_db, x, y),
  };
  try {
    assert.equal(await follow(t, a, b), 'accepted');
  } finally {
    t.reef.services.accounts.spaces = directory;
  }
});

test('self-follow, unknown user, bad id', async () => {
  const a = await registerUser(t);
  const self = await t.api('POST', `/follows/${a.id}`, { token: a.accessToken });
  assert.equal(self.status, 400);
  assert.match(self.body.error.message, /yourself/);
  assert.equal((await t.api('POST', '/follows/123456789', { token: a.accessToken })).status, 404);
  assert.equal((await t.api('POST', '/follows/abc', { token: a.accessToken })).status, 400);
  assert.equal((await t.api('POST', `/follows/${a.id}`)).status, 401);
});

test('blocks remove follows both ways and forbid new ones, either direction', async () => {
  const [a, b] = await people(t, 2);
  assert.equal(await follow(t, a, b), 'accepted');
  assert.equal(await follow(t, b, a), 'accepted');
  await ok(t.api('PUT', `/users/blocks/${a.id}`, { token: b.accessToken }), 204);
  assert.deepEqual(await ok(t.api('GET', `/follows/counts/${a.id}`, { token: a.accessToken })), {
    followingCount: 0,
    followerCount: 0,
  });
  const blocked = await t.api('POST', `/follows/${b.id}`, { token: a.accessToken });
  assert.equal(blocked.status, 403);
  const blocker = await t.api('POST', `/follows/${a.id}`, { token: b.accessToken });
  assert.equal(blocker.status, 403);
  assert.equal(
    (
      await t.reef.engine.db.db
        .selectFrom('follows')
        .select('status')
        .where('follower_id', 'in', [a.id, b.id])
        .where('followee_id', 'in', [a.id, b.id])
        .execute()
    ).length,
    0,
  );
});
