/**
 * spec/timeline-api.txt "Follow API" at /1/user/:userName: followers / following as name lists,
 * follow / unfollow with `Authorization: Token` (or Bearer), the documented statuses (400 already
 * following / self-follow, 401, 404), errors as `{ code, error }`; and the cross-surface rule: a
 * follow made here shows in reef's /api/follows and in /api/v1/users/{user}/followers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { ok } from '../social/helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

const lb = (method: string, path: string, token?: string, scheme = 'Token') =>
  t.api(method, `/1/user${path}`, {
    headers: token ? { authorization: `${scheme} ${token}` } : {},
    body: method === 'POST' ? {} : undefined,
  });

test('follow with a Token header; the follow shows on every surface; unfollow', async () => {
  const [a, b] = await registerUsers(t, 2);
  assert.deepEqual(await ok(lb('POST', `/${b!.username}/follow`, a!.accessToken)), { status: 'ok' });

  // ListenBrainz lists.
  assert.deepEqual(await ok(lb('GET', `/${b!.username}/followers`)), {
    followers: [a!.username],
    user: b!.username,
  });
  assert.deepEqual(await ok(lb('GET', `/${a!.username}/following`)), {
    following: [b!.username],
    user: a!.username,
  });
  // reef's own API.
  const reef = await ok(t.api('GET', `/follows/${b!.id}/followers`, { token: a!.accessToken }));
  assert.deepEqual(
    reef.map((u: any) => u.id),
    [a!.id],
  );
  const status = await ok(t.api('GET', `/follows/status/${b!.id}`, { token: a!.accessToken }));
  assert.equal(status.isFollowing, true);
  // The social-graph-api surface.
  const v1 = await ok(t.api('GET', `/api/v1/users/${b!.id}/followers`));
  assert.deepEqual(
    v1.pagination.data.map((u: any) => u.id),
    [a!.id],
  );

  // Bearer works the same way.
  assert.deepEqual(await ok(lb('POST', `/${b!.username}/unfollow`, a!.accessToken, 'Bearer')), {
    status: 'ok',
  });
  assert.deepEqual((await ok(lb('GET', `/${b!.username}/followers`))).followers, []);
  const after = await ok(t.api('GET', `/follows/status/${b!.id}`, { token: a!.accessToken }));
  assert.equal(after.isFollowing, false);
  // Unfollowing someone not followed is still 200, as ListenBrainz answers.
  assert.equal((await lb('POST', `/${b!.username}/unfollow`, a!.accessToken)).status, 200);
});

test('follow errors: 400 already following, 400 self-follow, 401, 404; errors are { code, error }', async () => {
  const [a, b] = await registerUsers(t, 2);
  await ok(lb('POST', `/${b!.username}/follow`, a!.accessToken));
  const again = await lb('POST', `/${b!.username}/follow`, a!.accessToken);
  assert.equal(again.status, 400);
  assert.equal(again.body.code, 400);
  assert.match(again.body.error, /already following/);

  const self = await lb('POST', `/${a!.username}/follow`, a!.accessToken);
  assert.equal(self.status, 400);
  assert.deepEqual(Object.keys(self.body).sort(), ['code', 'error']);
  assert.match(self.body.error, /yourself/);

  for (const path of [`/${b!.username}/follow`, `/${b!.username}/unfollow`]) {
    const none = await lb('POST', path);
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 401);
    const bad = await lb('POST', path, 'not-a-real-token');
    assert.equal(bad.status, 401);
    assert.equal(typeof bad.body.error, 'string');
  }

  for (const [m, p] of [
    ['POST', '/no_such_user_x1/follow'],
    ['POST', '/no_such_user_x1/unfollow'],
    ['GET', '/no_such_user_x1/followers'],
    ['GET', '/no_such_user_x1/following'],
  ] as const) {
    const res = await lb(m, p, a!.accessToken);
    assert.equal(res.status, 404, `${m} ${p}`);
    assert.deepEqual(res.body, { code: 404, error: 'User not found' });
  }
  // Still exactly one follow.
  assert.deepEqual((await ok(lb('GET', `/${b!.username}/followers`))).followers, [a!.username]);
});
