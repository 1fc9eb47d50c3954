/**
 * Spec "GET /follows/feed" visibility rules, seen by several users at once: own posts (all
 * visibilities), mutual follows' public + followers, one-way follows' public only; the same rules
 * on single-post lookups and profiles; keyset pagination; mutes; the profile visibility gate.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { createPost, feedIds, follow, mutual, ok, setPreferences } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

test('a followers-only post: seen by a mutual follower, hidden from a one-way follower until they become mutual', async () => {
  const [author, mutualFriend, oneWay, stranger] = await registerUsers(t, 4);
  await mutual(t, author!, mutualFriend!);
  assert.equal(await follow(t, oneWay!, author!), 'accepted');
  const pub = await createPost(t, author!, { body: 'hello world', visibility: 'public' });
  const fol = await createPost(t, author!, { body: 'friends only', visibility: 'followers' });
  const priv = await createPost(t, author!, { body: 'note to self', visibility: 'private' });
  assert.equal(fol.visibility, 'followers');

  // Own feed: every visibility, newest first.
  assert.deepEqual(await feedIds(t, author!), [priv.id, fol.id, pub.id]);
  assert.deepEqual(await feedIds(t, mutualFriend!), [fol.id, pub.id]);
  assert.deepEqual(await feedIds(t, oneWay!), [pub.id]);
  assert.deepEqual(await feedIds(t, stranger!), []);

  // The same rules for a single post and for the profile.
  assert.equal((await t.api('GET', `/follows/posts/${fol.id}`, { token: oneWay!.accessToken })).status, 404);
  assert.equal(
    (await t.api('GET', `/follows/posts/${fol.id}`, { token: stranger!.accessToken })).status,
    404,
  );
  const seen = await ok(t.api('GET', `/follows/posts/${fol.id}`, { token: mutualFriend!.accessToken }));
  assert.equal(seen.body, 'friends only');
  assert.equal(seen.author.username, author!.username);
  const profile = async (u: typeof author) =>
    (await ok<any[]>(t.api('GET', `/users/${author!.id}/posts`, { token: u!.accessToken }))).map((p) => p.id);
  assert.deepEqual(await profile(oneWay), [pub.id]);
  assert.deepEqual(await profile(stranger), [pub.id]);
  assert.deepEqual(await profile(mutualFriend), [fol.id, pub.id]);
  // Nobody but the author ever sees the private post.
  for (const u of [mutualFriend, oneWay, stranger])
    assert.equal((await t.api('GET', `/follows/posts/${priv.id}`, { token: u!.accessToken })).status, 404);

  // The author follows back: the one-way follower is now a mutual follower.
  assert.equal(await follow(t, author!, oneWay!), 'accepted');
  assert.deepEqual(await feedIds(t, oneWay!), [fol.id, pub.id]);
  assert.equal(
    (await ok(t.api('GET', `/follows/posts/${fol.id}`, { token: oneWay!.accessToken }))).id,
    fol.id,
  );
  // And a pending follow grants nothing.
  await setPreferences(t, author!, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, stranger!, author!), 'pending');
  assert.deepEqual(await feedIds(t, stranger!), []);
});

test('keyset pagination by before (post id), limit ≤ 50, default 10', async () => {
  const [a, b] = await registerUsers(t, 2);
  await follow(t, b!, a!);
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await createPost(t, a!, { body: `post ${i}` })).id);
  const newest = [...ids].reverse();
  assert.deepEqual(await feedIds(t, b!), newest.slice(0, 10));
  const p1 = await feedIds(t, b!, '?limit=5');
  assert.deepEqual(p1, newest.slice(0, 5));
  const p2 = await feedIds(t, b!, `?limit=5&before=${p1[4]}`);
  assert.deepEqual(p2, newest.slice(5, 10));
  const p3 = await feedIds(t, b!, `?limit=5&before=${p2[4]}`);
  assert.deepEqual(p3, newest.slice(10));
  const tooMany = await t.api('GET', '/follows/feed?limit=51', { token: b!.accessToken });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.body.error.code, 'VALIDATION_ERROR');
});

test('feed items carry author, reactions, comment count and repost data', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  await mutual(t, a!, b!);
  await follow(t, c!, b!);
  const p = await createPost(t, a!, { body: 'react to me #Reef' });
  await ok(t.api('PUT', `/users/${a!.id}/posts/${p.id}/reactions/🔥`, { token: b!.accessToken }));
  await ok(
    t.api('POST', `/users/${a!.id}/posts/${p.id}/comments`, {
      token: b!.accessToken,
      body: { body: 'nice' },
    }),
    201,
  );
  const repost = await ok(
    t.api('POST', '/users/me/posts/repost', {
      token: b!.accessToken,
      body: { originalPostId: p.id, body: 'look' },
    }),
    201,
  );
  const [first] = await ok<any[]>(t.api('GET', '/follows/feed', { token: c!.accessToken }));
  assert.equal(first.id, repost.id);
  assert.equal(first.author.id, b!.id);
  assert.equal(first.body, 'look');
  assert.equal(first.originalPostId, p.id);
  assert.equal(first.originalPost.id, p.id);
  assert.equal(first.originalPost.author.username, a!.username);
  assert.deepEqual(first.originalPost.reactions, [{ emoji: '🔥', count: 1, reacted: false }]);
  assert.equal(first.originalPost.commentCount, 1);
  assert.equal(first.originalPost.repostCount, 1);
  assert.deepEqual(first.originalPost.hashtags, ['reef']);
  const [mine] = await ok<any[]>(t.api('GET', '/follows/feed', { token: a!.accessToken }));
  assert.equal(mine.id, repost.id, 'a mutual follow sees the repost of their own post');
});

test('muting an account hides its posts from the feed (not from the post itself)', async () => {
  const [a, b] = await registerUsers(t, 2);
  await follow(t, b!, a!);
  const p = await createPost(t, a!, { body: 'loud' });
  assert.deepEqual(await feedIds(t, b!), [p.id]);
  await ok(t.api('PUT', `/users/mutes/${a!.id}`, { token: b!.accessToken }), 204);
  assert.deepEqual(await feedIds(t, b!), []);
  assert.equal((await ok(t.api('GET', `/follows/posts/${p.id}`, { token: b!.accessToken }))).id, p.id);
});

test('a block hides public posts both ways, everywhere', async () => {
  const [a, b] = await registerUsers(t, 2);
  // A word of its own: in services mode the database is shared with earlier runs.
  const word = uniq('zanzibar');
  const p = await createPost(t, a!, { body: `public words ${word}` });
  assert.equal((await ok(t.api('GET', `/follows/posts/${p.id}`, { token: b!.accessToken }))).id, p.id);
  await ok(t.api('PUT', `/users/blocks/${b!.id}`, { token: a!.accessToken }), 204);
  assert.equal((await t.api('GET', `/follows/posts/${p.id}`, { token: b!.accessToken })).status, 404);
  assert.deepEqual(await ok(t.api('GET', `/follows/feed/search?q=${word}`, { token: b!.accessToken })), []);
  const onProfile = await t.api('GET', `/users/${a!.id}/posts`, { token: b!.accessToken });
  assert.deepEqual(onProfile.body, { profilePrivate: true });
});

test('profile visibility gate: GET /users/:userId/posts answers { profilePrivate: true }', async () => {
  const [a, follower, stranger] = await registerUsers(t, 3);
  await follow(t, follower!, a!);
  const p = await createPost(t, a!, { body: 'public but profile is followers-only' });
  await setPreferences(t, a!, { profileVisibility: 'followers' });
  assert.deepEqual(await ok(t.api('GET', `/users/${a!.id}/posts`, { token: stranger!.accessToken })), {
    profilePrivate: true,
  });
  const list = await ok<any[]>(t.api('GET', `/users/${a!.id}/posts`, { token: follower!.accessToken }));
  assert.deepEqual(
    list.map((x) => x.id),
    [p.id],
  );
  assert.equal((await t.api('GET', '/users/999999999/posts', { token: stranger!.accessToken })).status, 404);
});
