/**
 * Spec "User Posts" → "Own Posts": multipart with up to 20 files, text or attachments required,
 * visibility, tagged users (must be followed; post_tag notification), hashtags, one pinned post,
 * edit and delete.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { SioClient, barrier } from '../realtime-clients.ts';
import { createPost, follow, mutual, ok, postForm } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

test('a post with files: attachments stored and served; text alone, files alone, neither', async () => {
  const [a, b] = await registerUsers(t, 2);
  const p = await createPost(t, a!, {
    body: 'two files',
    files: [
      { name: 'a.png', type: 'image/png', data: Buffer.from('png-bytes') },
      { name: 'notes.txt', type: 'text/plain', data: 'hello' },
    ],
  });
  assert.equal(p.attachments.length, 2);
  assert.deepEqual(
    p.attachments.map((x: any) => [x.filename, x.mimeType, x.size, x.kind]),
    [
      ['a.png', 'image/png', 9, 'upload'],
      ['notes.txt', 'text/plain', 5, 'upload'],
    ],
  );
  const served = await fetch(t.url + p.attachments[1].url);
  assert.equal(await served.text(), 'hello');
  // Another user sees the same attachments.
  const seen = await ok(t.api('GET', `/follows/posts/${p.id}`, { token: b!.accessToken }));
  assert.deepEqual(seen.attachments, p.attachments);

  const onlyFile = await createPost(t, a!, { files: [{ name: 'x.jpg', type: 'image/jpeg', data: 'jpg' }] });
  assert.equal(onlyFile.body, '');
  const empty = await t.api('POST', '/users/me/posts', {
    token: a!.accessToken,
    raw: postForm({ body: '   ' }),
  });
  assert.equal(empty.status, 400);
  assert.match(empty.body.error.message, /text or at least one attachment/);
  const files = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.txt`, type: 'text/plain', data: 'x' }));
  const tooMany = await t.api('POST', '/users/me/posts', {
    token: a!.accessToken,
    raw: postForm({ body: 'x', files }),
  });
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.body.error.message, /20/);
  const ok20 = await createPost(t, a!, { files: files.slice(0, 20) });
  assert.equal(ok20.attachments.length, 20);
  const badVis = await t.api('POST', '/users/me/posts', {
    token: a!.accessToken,
    raw: postForm({ body: 'x', visibility: 'spaces' as any }),
  });
  assert.equal(badVis.status, 400);
  assert.equal(badVis.body.error.code, 'VALIDATION_ERROR');
});

test('tagged users must be followed by the author; each gets post_tag when they may see the post', async () => {
  const [author, friend, fan, stranger] = await registerUsers(t, 4);
  await mutual(t, author!, friend!);
  await follow(t, author!, fan!); // the author follows the fan; the fan does not follow back
  const notFollowed = await t.api('POST', '/users/me/posts', {
    token: author!.accessToken,
    raw: postForm({ body: 'hi', taggedUserIds: [friend!.id, stranger!.id] }),
  });
  assert.equal(notFollowed.status, 400);
  assert.deepEqual(notFollowed.body.error.data.userIds, [stranger!.id]);

  const sock = await SioClient.connect(t, friend!.accessToken);
  try {
    await barrier(t, `user:${friend!.id}`, [sock]);
    const p = await createPost(t, author!, {
      body: 'with @friends',
      visibility: 'followers',
      taggedUserIds: [friend!.id, fan!.id],
    });
    assert.deepEqual(p.tags.map((u: any) => u.id).sort(), [friend!.id, fan!.id].sort());
    const n = await sock.waitFor('notification:new', (x) => x.type === 'post_tag');
    assert.equal(n.data.postId, p.id);
    assert.equal(n.data.actorId, author!.id);
    // The fan may not see a followers-only post (not mutual): no notification points at it.
    const fanNotes = await ok<any[]>(t.api('GET', '/notifications', { token: fan!.accessToken }));
    assert.equal(fanNotes.filter((x) => x.type === 'post_tag').length, 0);
  } finally {
    await sock.close();
  }
});

test('hashtags are extracted, lower-cased and searchable; edits re-index them', async () => {
  const [a] = await registerUsers(t, 1);
  const tag = uniq('t');
  const p = await createPost(t, a!, { body: `Sunny day #${tag.toUpperCase()} #hike, not #123 or a#b` });
  assert.deepEqual(p.hashtags.sort(), ['hike', tag].sort());
  const found = await ok<any[]>(
    t.api('GET', `/follows/feed/search?hashtag=${tag}`, { token: a!.accessToken }),
  );
  assert.deepEqual(
    found.map((x) => x.id),
    [p.id],
  );
  const edited = await ok(
    t.api('PATCH', `/users/me/posts/${p.id}`, { token: a!.accessToken, body: { body: 'no tags now' } }),
  );
  assert.deepEqual(edited.hashtags, []);
  assert.ok(edited.editedAt);
  assert.deepEqual(
    await ok(t.api('GET', `/follows/feed/search?hashtag=${tag}`, { token: a!.accessToken })),
    [],
  );
  const none = await t.api('GET', '/follows/feed/search', { token: a!.accessToken });
  assert.equal(none.status, 400);
});

test('one pinned post per user, first on the profile; unpin', async () => {
  const [a, b] = await registerUsers(t, 2);
  const p1 = await createPost(t, a!, { body: 'first' });
  const p2 = await createPost(t, a!, { body: 'second' });
  const p3 = await createPost(t, a!, { body: 'third' });
  assert.equal(
    (await ok(t.api('PUT', `/users/me/posts/${p1.id}/pin`, { token: a!.accessToken }))).isPinned,
    true,
  );
  let profile = await ok<any[]>(t.api('GET', `/users/${a!.id}/posts`, { token: b!.accessToken }));
  assert.deepEqual(
    profile.map((x) => x.id),
    [p1.id, p3.id, p2.id],
  );
  await ok(t.api('PUT', `/users/me/posts/${p2.id}/pin`, { token: a!.accessToken }));
  profile = await ok<any[]>(t.api('GET', `/users/${a!.id}/posts`, { token: b!.accessToken }));
  assert.deepEqual(
    profile.map((x) => [x.id, x.isPinned]),
    [
      [p2.id, true],
      [p3.id, false],
      [p1.id, false],
    ],
  );
  const pinned = await t.reef.engine.db.db
    .selectFrom('posts')
    .select('id')
    .where('author_id', '=', a!.id)
    .where('pinned_at', 'is not', null)
    .execute();
  assert.deepEqual(pinned, [{ id: p2.id }]);
  await ok(t.api('DELETE', `/users/me/posts/${p2.id}/pin`, { token: a!.accessToken }), 204);
  const mine = await ok<any[]>(t.api('GET', '/users/me/posts', { token: a!.accessToken }));
  assert.deepEqual(
    mine.map((x) => x.id),
    [p3.id, p2.id, p1.id],
  );
  // Someone else's post cannot be pinned.
  assert.equal((await t.api('PUT', `/users/me/posts/${p1.id}/pin`, { token: b!.accessToken })).status, 404);
});

test('edit visibility and body; delete; only the author', async () => {
  const [a, friend] = await registerUsers(t, 2);
  await mutual(t, a!, friend!);
  const p = await createPost(t, a!, { body: 'draft', visibility: 'followers' });
  assert.equal(
    (await ok(t.api('GET', `/follows/posts/${p.id}`, { token: friend!.accessToken }))).body,
    'draft',
  );
  const notMine = await t.api('PATCH', `/users/me/posts/${p.id}`, {
    token: friend!.accessToken,
    body: { body: 'x' },
  });
  assert.equal(notMine.status, 404);
  await ok(
    t.api('PATCH', `/users/me/posts/${p.id}`, {
      token: a!.accessToken,
      body: { body: 'final', visibility: 'private' },
    }),
  );
  assert.equal((await t.api('GET', `/follows/posts/${p.id}`, { token: friend!.accessToken })).status, 404);
  assert.equal((await ok(t.api('GET', `/follows/posts/${p.id}`, { token: a!.accessToken }))).body, 'final');
  assert.equal(
    (await t.api('DELETE', `/users/me/posts/${p.id}`, { token: friend!.accessToken })).status,
    404,
  );
  await ok(t.api('DELETE', `/users/me/posts/${p.id}`, { token: a!.accessToken }), 204);
  assert.equal((await t.api('GET', `/follows/posts/${p.id}`, { token: a!.accessToken })).status, 404);
  assert.equal(
    (await t.reef.engine.db.db.selectFrom('posts').select('id').where('id', '=', p.id).execute()).length,
    0,
  );
});
