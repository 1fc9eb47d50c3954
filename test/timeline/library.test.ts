/**
 * Library (social-graph-api "User Library", "Library Limits"): likes of posts, pages and users; liked
 * lists, paginated and seen through the viewer's own post visibility; the saved-items limit
 * (LIBRARY_MAX_ITEMS, 3 here) across all kinds, also under concurrent likes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { createPost, mutual } from '../social/helpers.ts';
import { createPage, ok } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { LIBRARY_MAX_ITEMS: '3' } });
});
after(async () => {
  await t.close();
});

test('like and unlike a post; liked posts seen through each viewer’s visibility', async () => {
  const [author, fan, stranger] = await registerUsers(t, 3);
  await mutual(t, author!, fan!);
  const pub = await createPost(t, author!, { body: 'public track', visibility: 'public' });
  const foll = await createPost(t, author!, { body: 'followers track', visibility: 'followers' });
  const priv = await createPost(t, author!, { body: 'private track', visibility: 'private' });

  assert.deepEqual(await ok(t.api('PUT', `/library/posts/${pub.id}`, { token: fan!.accessToken })), {
    liked: true,
    created: true,
  });
  assert.deepEqual(await ok(t.api('PUT', `/library/posts/${pub.id}`, { token: fan!.accessToken })), {
    liked: true,
    created: false,
  });
  await ok(t.api('PUT', `/library/posts/${foll.id}`, { token: fan!.accessToken }));
  // A post the liker may not see cannot be liked.
  const hidden = await t.api('PUT', `/library/posts/${priv.id}`, { token: fan!.accessToken });
  assert.equal(hidden.status, 404);
  assert.equal((hidden.body as any).error.code, 'NOT_FOUND');

  const own = await ok<any[]>(t.api('GET', '/library/posts', { token: fan!.accessToken }));
  assert.deepEqual(
    own.map((p) => p.id),
    [foll.id, pub.id],
  );
  assert.equal(own[0].body, 'followers track');
  // The stranger looking at the fan's library sees only what they may see themselves.
  const seen = await ok<any[]>(
    t.api('GET', `/library/posts?userId=${fan!.id}`, { token: stranger!.accessToken }),
  );
  assert.deepEqual(
    seen.map((p) => p.id),
    [pub.id],
  );
  assert.deepEqual(await ok(t.api('GET', `/library/posts/${pub.id}`, { token: fan!.accessToken })), {
    liked: true,
  });

  // Pagination: newest like first.
  const page2 = await ok<any[]>(t.api('GET', '/library/posts?limit=1&offset=1', { token: fan!.accessToken }));
  assert.deepEqual(
    page2.map((p) => p.id),
    [pub.id],
  );
  assert.equal((await t.api('GET', '/library/posts?limit=51', { token: fan!.accessToken })).status, 400);

  assert.equal((await t.api('DELETE', `/library/posts/${pub.id}`, { token: fan!.accessToken })).status, 204);
  assert.deepEqual(await ok(t.api('GET', `/library/posts/${pub.id}`, { token: fan!.accessToken })), {
    liked: false,
  });
  assert.deepEqual(
    (await ok<any[]>(t.api('GET', '/library/posts', { token: fan!.accessToken }))).map((p) => p.id),
    [foll.id],
  );
});

test('like users (not oneself, not unknown ones) and pages; counts', async () => {
  const [me, a, b] = await registerUsers(t, 3);
  const self = await t.api('PUT', `/library/users/${me!.id}`, { token: me!.accessToken });
  assert.equal(self.status, 400);
  assert.equal(
    (await t.api('PUT', '/library/users/987654321012345678', { token: me!.accessToken })).status,
    404,
  );
  await ok(t.api('PUT', `/library/users/${a!.id}`, { token: me!.accessToken }));
  await ok(t.api('PUT', `/library/users/${b!.id}`, { token: me!.accessToken }));
  const users = await ok<any[]>(t.api('GET', `/library/users?userId=${me!.id}`, { token: a!.accessToken }));
  assert.deepEqual(
    users.map((u) => u.username),
    [b!.username, a!.username],
  );
  assert.ok(users[0].likedAt);
  // Across a block, either way, no like.
  const [x] = await registerUsers(t, 1);
  assert.equal((await t.api('PUT', `/users/blocks/${me!.id}`, { token: x!.accessToken })).status, 204);
  const blocked = await t.api('PUT', `/library/users/${x!.id}`, { token: me!.accessToken });
  assert.equal(blocked.status, 403);
  assert.equal(blocked.body.error.code, 'FORBIDDEN');
  assert.equal((await t.api('PUT', `/library/users/${me!.id}`, { token: x!.accessToken })).status, 403);

  // Liking a page through the library is following it.
  const { space } = await createPage(t);
  await t.api('DELETE', `/library/users/${b!.id}`, { token: me!.accessToken });
  await ok(t.api('PUT', `/library/pages/${space.id}`, { token: me!.accessToken }));
  assert.equal(
    (await ok(t.api('GET', `/pages/${space.id}/follow`, { token: me!.accessToken }))).isFollowing,
    true,
  );
  assert.deepEqual(await ok(t.api('GET', `/library/counts?userId=${me!.id}`, { token: b!.accessToken })), {
    posts: 0,
    pages: 1,
    users: 1,
    collections: 0,
    total: 2,
    max: 3,
  });
});

test('at most LIBRARY_MAX_ITEMS saved items across kinds; re-liking at the limit is a no-op', async () => {
  const [me, a, b, c] = await registerUsers(t, 4);
  const post = await createPost(t, a!, { body: 'limit track', visibility: 'public' });
  const { space } = await createPage(t);
  await ok(t.api('PUT', `/library/posts/${post.id}`, { token: me!.accessToken }));
  await ok(t.api('POST', `/pages/${space.id}/follow`, { token: me!.accessToken }));
  await ok(t.api('PUT', `/library/users/${b!.id}`, { token: me!.accessToken }));

  const full = await t.api('PUT', `/library/users/${c!.id}`, { token: me!.accessToken });
  assert.equal(full.status, 400);
  assert.equal((full.body as any).error.data.limit, 3);
  const fullPage = await t.api('POST', `/pages/${space.id}/follow`, { token: me!.accessToken });
  assert.equal(fullPage.status, 200, 'already followed: no new item');
  assert.equal((await ok(t.api('GET', '/library/counts', { token: me!.accessToken }))).total, 3);

  await ok(t.api('DELETE', `/library/users/${b!.id}`, { token: me!.accessToken }), 204);
  await ok(t.api('PUT', `/library/users/${c!.id}`, { token: me!.accessToken }));
  assert.deepEqual(
    (await ok<any[]>(t.api('GET', '/library/users', { token: me!.accessToken }))).map((u) => u.id),
    [c!.id],
  );
});

test('concurrent likes cannot pass the limit', async () => {
  const [me, ...others] = await registerUsers(t, 6);
  const results = await Promise.all(
    others.map((o) => t.api('PUT', `/library/users/${o.id}`, { token: me!.accessToken })),
  );
  assert.equal(results.filter((r) => r.status === 200).length, 3);
  assert.equal(results.filter((r) => r.status === 400).length, 2);
  assert.equal((await ok(t.api('GET', '/library/counts', { token: me!.accessToken }))).users, 3);
});

test('like collections (albums): readable ones only; liked collections through the viewer’s eyes', async () => {
  const [me, owner, other] = await registerUsers(t, 3);
  const pub = await ok(
    t.api('POST', '/collections', { token: owner!.accessToken, body: { name: 'open' } }),
    201,
  );
  const priv = await ok(
    t.api('POST', '/collections', { token: owner!.accessToken, body: { name: 'closed', isPublic: false } }),
    201,
  );
  assert.equal(
    (await t.api('PUT', `/library/collections/${priv.id}`, { token: me!.accessToken })).status,
    404,
  );
  await ok(t.api('PUT', `/library/collections/${pub.id}`, { token: me!.accessToken }));
  // The owner likes their own private one; another user does not see it in the owner's list.
  await ok(t.api('PUT', `/library/collections/${priv.id}`, { token: owner!.accessToken }));
  assert.deepEqual(
    (await ok<any[]>(t.api('GET', '/library/collections', { token: me!.accessToken }))).map((c) => c.name),
    ['open'],
  );
  assert.deepEqual(
    (await ok<any[]>(t.api('GET', '/library/collections', { token: owner!.accessToken }))).map((c) => c.name),
    ['closed'],
  );
  assert.deepEqual(
    await ok<any[]>(t.api('GET', `/library/collections?userId=${owner!.id}`, { token: other!.accessToken })),
    [],
  );
  assert.equal((await ok(t.api('GET', '/library/counts', { token: me!.accessToken }))).collections, 1);
  assert.deepEqual(await ok(t.api('GET', `/library/collections/${pub.id}`, { token: me!.accessToken })), {
    liked: true,
  });
});
