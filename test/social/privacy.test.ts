/**
 * A private post never leaks: not through the feed, search (text or hashtag), a repost, a comment
 * listing, reactions, a share or a notification; a followers-only post does not leak through a
 * public repost to people who may not see the original.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { createPost, feedIds, follow, mutual, ok } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

test('a private post never leaks through feed, search, a repost, comments, reactions or a share', async () => {
  const [author, friend] = await registerUsers(t, 2);
  await mutual(t, author!, friend!);
  // Words of their own: in services mode the database is shared with earlier runs.
  const [word, tag, plans] = [uniq('quokka'), uniq('hush'), uniq('plans')];
  const secret = await createPost(t, author!, { body: `${word} ${plans} #${tag}`, visibility: 'private' });
  const open = await createPost(t, author!, { body: `${word} news #${tag}`, visibility: 'public' });
  // The author finds both; the friend only the public one.
  const search = async (u: typeof author, q: string) =>
    (await ok<any[]>(t.api('GET', `/follows/feed/search?${q}`, { token: u!.accessToken }))).map((p) => p.id);
  assert.deepEqual(await search(author, `q=${word}`), [open.id, secret.id]);
  assert.deepEqual(await search(author, `hashtag=${tag}`), [open.id, secret.id]);
  assert.deepEqual(await search(friend, `q=${word}`), [open.id]);
  assert.deepEqual(await search(friend, `hashtag=%23${tag}`), [open.id]);
  assert.deepEqual(await search(friend, `q=${plans}`), []);
  assert.deepEqual(await feedIds(t, friend!), [open.id]);

  const asFriend = { token: friend!.accessToken };
  const repost = await t.api('POST', '/users/me/posts/repost', {
    ...asFriend,
    body: { originalPostId: secret.id },
  });
  assert.equal(repost.status, 404);
  for (const [method, path, body] of [
    ['GET', `/users/${author!.id}/posts/${secret.id}/comments`, undefined],
    ['POST', `/users/${author!.id}/posts/${secret.id}/comments`, { body: 'hi' }],
    ['PUT', `/users/${author!.id}/posts/${secret.id}/reactions/👍`, undefined],
    ['POST', `/users/me/posts/${secret.id}/share-to-dm`, { conversationId: '1' }],
  ] as const) {
    const res = await t.api(method, path, { ...asFriend, ...(body ? { body } : {}) });
    assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
  }
  // The author's own comment on it is listed to the author only.
  await ok(
    t.api('POST', `/users/me/posts/${secret.id}/comments`, {
      token: author!.accessToken,
      body: { body: 'memo' },
    }),
    201,
  );
  const own = await ok<any[]>(
    t.api('GET', `/users/me/posts/${secret.id}/comments`, { token: author!.accessToken }),
  );
  assert.deepEqual(
    own.map((c) => c.body),
    ['memo'],
  );
  // Nothing about it was written for the friend.
  const rows = await t.reef.engine.db.db
    .selectFrom('post_reactions')
    .select('user_id')
    .where('post_id', '=', secret.id)
    .execute();
  assert.deepEqual(rows, []);

  // Made private after a repost: the repost disappears with it.
  const wasPublic = await createPost(t, author!, { body: 'soon private' });
  const r = await ok(
    t.api('POST', '/users/me/posts/repost', { ...asFriend, body: { originalPostId: wasPublic.id } }),
    201,
  );
  assert.equal((await feedIds(t, friend!))[0], r.id);
  await ok(
    t.api('PATCH', `/users/me/posts/${wasPublic.id}`, {
      token: author!.accessToken,
      body: { visibility: 'private' },
    }),
  );
  assert.ok(!(await feedIds(t, friend!)).includes(r.id));
  assert.equal((await t.api('GET', `/follows/posts/${r.id}`, asFriend)).status, 404);
  assert.ok(!(await ok<any[]>(t.api('GET', '/users/me/posts', asFriend))).some((p) => p.id === r.id));
});

test('a public repost of a followers-only post is hidden from those who may not see the original', async () => {
  const [author, reposter, reposterFan, authorFriend] = await registerUsers(t, 4);
  await mutual(t, author!, reposter!);
  await mutual(t, author!, authorFriend!);
  await follow(t, reposterFan!, reposter!);
  await follow(t, authorFriend!, reposter!);
  const fol = await createPost(t, author!, { body: 'inner circle', visibility: 'followers' });
  const r = await ok(
    t.api('POST', '/users/me/posts/repost', {
      token: reposter!.accessToken,
      body: { originalPostId: fol.id, visibility: 'public' },
    }),
    201,
  );
  assert.equal(r.originalPost.id, fol.id);
  // The reposter's fan follows the reposter only: the repost is not in their feed or on the profile.
  assert.ok(!(await feedIds(t, reposterFan!)).includes(r.id));
  const profile = await ok<any[]>(
    t.api('GET', `/users/${reposter!.id}/posts`, { token: reposterFan!.accessToken }),
  );
  assert.ok(!profile.some((p) => p.id === r.id));
  assert.equal(
    (await t.api('GET', `/follows/posts/${r.id}`, { token: reposterFan!.accessToken })).status,
    404,
  );
  // The author's mutual friend, who also follows the reposter, sees it with the original.
  const seen = await ok<any[]>(t.api('GET', '/follows/feed', { token: authorFriend!.accessToken }));
  const item = seen.find((p) => p.id === r.id);
  assert.equal(item.originalPost.body, 'inner circle');
});
