/**
 * Spec "Post Comments", "Post Reactions", "Comment Reactions": a nested tree by parentCommentId,
 * 1–4000 chars, deletion by the comment's author or the post's owner, post_comment to the post's
 * owner, one reaction per emoji per user on posts and comments, reaction notifications.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { SioClient, barrier } from '../realtime-clients.ts';
import { createPost, ok } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

const comment = (
  u: { accessToken: string },
  ownerId: string,
  postId: string,
  body: Record<string, unknown>,
) => t.api('POST', `/users/${ownerId}/posts/${postId}/comments`, { token: u.accessToken, body });

test('a nested comment tree; the post owner is notified of a comment (and a reply notifies its parent)', async () => {
  const [owner, b, c] = await registerUsers(t, 3);
  const p = await createPost(t, owner!, { body: 'discuss' });
  const sock = await SioClient.connect(t, owner!.accessToken);
  let top: any;
  try {
    await barrier(t, `user:${owner!.id}`, [sock]);
    top = await ok(comment(b!, owner!.id, p.id, { body: 'first!' }), 201);
    assert.equal(top.author.type, 'user');
    assert.equal(top.author.username, b!.username);
    const n = await sock.waitFor('notification:new', (x) => x.type === 'post_comment');
    assert.equal(n.data.postId, p.id);
    assert.equal(n.data.commentId, top.id);
    assert.equal(n.data.actorId, b!.id);
  } finally {
    await sock.close();
  }
  const reply = await ok(comment(c!, owner!.id, p.id, { body: 'reply', parentCommentId: top.id }), 201);
  const deeper = await ok(comment(b!, owner!.id, p.id, { body: 'deeper', parentCommentId: reply.id }), 201);
  const second = await ok(comment(c!, owner!.id, p.id, { body: 'second top' }), 201);
  const bNotes = await ok<any[]>(t.api('GET', '/notifications', { token: b!.accessToken }));
  assert.ok(
    bNotes.some((x) => x.type === 'post_comment' && x.data.commentId === reply.id),
    JSON.stringify(bNotes),
  );

  const tree = await ok<any[]>(
    t.api('GET', `/users/${owner!.id}/posts/${p.id}/comments`, { token: c!.accessToken }),
  );
  assert.deepEqual(
    tree.map((x) => x.id),
    [second.id, top.id],
  );
  assert.equal(tree[1].replies[0].id, reply.id);
  assert.equal(tree[1].replies[0].replies[0].id, deeper.id);
  assert.equal(tree[1].replies[0].replies[0].body, 'deeper');
  // The owner reads the same tree under /users/me.
  const mine = await ok<any[]>(
    t.api('GET', `/users/me/posts/${p.id}/comments`, { token: owner!.accessToken }),
  );
  assert.deepEqual(
    mine,
    tree.map((x) => ({ ...x })),
  );
  // Keyset on top-level comments.
  const page = await ok<any[]>(
    t.api('GET', `/users/${owner!.id}/posts/${p.id}/comments?limit=1&before=${second.id}`, {
      token: c!.accessToken,
    }),
  );
  assert.deepEqual(
    page.map((x) => x.id),
    [top.id],
  );
  const feedItem = await ok(t.api('GET', `/follows/posts/${p.id}`, { token: c!.accessToken }));
  assert.equal(feedItem.commentCount, 4);

  // Wrong owner in the path, a parent from another post, bad lengths.
  assert.equal((await comment(b!, c!.id, p.id, { body: 'x' })).status, 404);
  const other = await createPost(t, owner!, { body: 'other' });
  assert.equal((await comment(b!, owner!.id, other.id, { body: 'x', parentCommentId: top.id })).status, 400);
  assert.equal((await comment(b!, owner!.id, p.id, { body: '' })).status, 400);
  assert.equal((await comment(b!, owner!.id, p.id, { body: 'x'.repeat(4001) })).status, 400);
  assert.equal((await comment(b!, owner!.id, p.id, { body: 'x'.repeat(4000) })).status, 201);
});

test('a comment is deleted by its author or the post owner (with its replies), by nobody else', async () => {
  const [owner, b, c] = await registerUsers(t, 3);
  const p = await createPost(t, owner!, { body: 'x' });
  const c1 = await ok(comment(b!, owner!.id, p.id, { body: 'by b' }), 201);
  const c2 = await ok(comment(c!, owner!.id, p.id, { body: 'by c', parentCommentId: c1.id }), 201);
  const c3 = await ok(comment(c!, owner!.id, p.id, { body: 'another by c' }), 201);
  const del = (u: { accessToken: string }, id: string) =>
    t.api('DELETE', `/users/${owner!.id}/posts/${p.id}/comments/${id}`, { token: u.accessToken });
  assert.equal((await del(c!, c1.id)).status, 403);
  assert.equal((await del(b!, c1.id)).status, 204);
  assert.equal(
    (await t.api('DELETE', `/users/me/posts/${p.id}/comments/${c3.id}`, { token: owner!.accessToken }))
      .status,
    204,
  );
  const left = await t.reef.engine.db.db
    .selectFrom('post_comments')
    .select('id')
    .where('post_id', '=', p.id)
    .execute();
  assert.deepEqual(left, [], `reply ${c2.id} went with its parent`);
  assert.equal((await del(b!, c1.id)).status, 404);
});

test('reactions: one per emoji per user, on posts and comments; the owner is notified once', async () => {
  const [owner, b, c] = await registerUsers(t, 3);
  const p = await createPost(t, owner!, { body: 'react' });
  const put = (u: { accessToken: string }, emoji: string) =>
    t.api('PUT', `/users/${owner!.id}/posts/${p.id}/reactions/${encodeURIComponent(emoji)}`, {
      token: u.accessToken,
    });
  await ok(put(b!, '👍'));
  await ok(put(b!, '👍'));
  await ok(put(c!, '👍'));
  const after = await ok(put(b!, ':party:'));
  assert.deepEqual(after, [
    { emoji: '👍', count: 2, reacted: true },
    { emoji: ':party:', count: 1, reacted: true },
  ]);
  // The owner reacts through /users/me.
  await ok(
    t.api('PUT', `/users/me/posts/${p.id}/reactions/${encodeURIComponent('👍')}`, {
      token: owner!.accessToken,
    }),
  );
  const seen = await ok(t.api('GET', `/follows/posts/${p.id}`, { token: c!.accessToken }));
  assert.deepEqual(seen.reactions, [
    { emoji: '👍', count: 3, reacted: true },
    { emoji: ':party:', count: 1, reacted: false },
  ]);
  const notes = await ok<any[]>(t.api('GET', '/notifications', { token: owner!.accessToken }));
  assert.equal(
    notes.filter((n) => n.type === 'reaction' && n.data.actorId === b!.id && n.data.emoji === '👍').length,
    1,
  );
  assert.equal(notes.filter((n) => n.type === 'reaction' && n.data.actorId === owner!.id).length, 0);
  assert.equal(
    (
      await t.api('DELETE', `/users/${owner!.id}/posts/${p.id}/reactions/${encodeURIComponent('👍')}`, {
        token: b!.accessToken,
      })
    ).status,
    204,
  );
  assert.equal(
    (await ok(t.api('GET', `/follows/posts/${p.id}`, { token: c!.accessToken }))).reactions[0].count,
    2,
  );
  assert.equal((await put(b!, 'two words')).status, 400);

  const cm = await ok(comment(b!, owner!.id, p.id, { body: 'react to this' }), 201);
  const cr = (u: { accessToken: string }, method: string) =>
    t.api(method, `/users/posts/comments/${cm.id}/reactions/${encodeURIComponent('❤️')}`, {
      token: u.accessToken,
    });
  await ok(cr(c!, 'PUT'));
  await ok(cr(c!, 'PUT'));
  const r2 = await ok(cr(owner!, 'PUT'));
  assert.deepEqual(r2, [{ emoji: '❤️', count: 2, reacted: true }]);
  const tree = await ok<any[]>(
    t.api('GET', `/users/${owner!.id}/posts/${p.id}/comments`, { token: b!.accessToken }),
  );
  assert.deepEqual(tree[0].reactions, [{ emoji: '❤️', count: 2, reacted: false }]);
  const bNotes = await ok<any[]>(t.api('GET', '/notifications', { token: b!.accessToken }));
  assert.equal(bNotes.filter((n) => n.type === 'reaction' && n.data.commentId === cm.id).length, 2);
  assert.equal((await cr(c!, 'DELETE')).status, 204);
  assert.equal(
    (await t.api('PUT', '/users/posts/comments/42/reactions/x', { token: c!.accessToken })).status,
    404,
  );
});
