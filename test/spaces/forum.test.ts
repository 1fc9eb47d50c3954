import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createChannel, createSpace, expectStatus } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('forum threads: create, posts with replyTo, socket events, lock refuses posts, sort with pinned first, delete', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const forum = await createChannel(t, space, { type: 'forum' });
  const T = `/spaces/${space.id}/channels/${forum.id}/threads`;
  const sock = await SioClient.connect(t, space.owner.accessToken);
  try {
    await sock.call('channel:join', { channelId: forum.id });
    const th = await expectStatus(
      t.api('POST', T, {
        token: bob.accessToken,
        body: { title: 'Gear list', content: 'What do you pack?' },
      }),
      201,
    );
    assert.deepEqual(
      {
        title: th.title,
        content: th.content,
        authorId: th.authorId,
        postCount: th.postCount,
        isLocked: th.isLocked,
        isPinned: th.isPinned,
      },
      {
        title: 'Gear list',
        content: 'What do you pack?',
        authorId: bob.id,
        postCount: 1,
        isLocked: false,
        isPinned: false,
      },
    );
    assert.equal((await sock.waitFor('forum:thread_created', (d) => d.id === th.id)).title, 'Gear list');
    await sock.call('thread:join', { threadId: th.id });
    const posts0 = await expectStatus(
      t.api('GET', `${T}/${th.id}/posts`, { token: space.owner.accessToken }),
      200,
    );
    assert.equal(posts0.length, 1);
    const reply = await expectStatus(
      t.api('POST', `${T}/${th.id}/posts`, {
        token: space.owner.accessToken,
        body: { content: 'A tent', replyToId: posts0[0].id },
      }),
      201,
    );
    assert.deepEqual(reply.replyTo, {
      id: posts0[0].id,
      content: 'What do you pack?',
      author: { id: bob.id, username: bob.username, displayName: bob.user.displayName },
    });
    const ev = await sock.waitFor('forum:post_created', (d) => d.id === reply.id);
    assert.deepEqual(ev.replyTo, reply.replyTo);
    const posts = await expectStatus(t.api('GET', `${T}/${th.id}/posts`, { token: bob.accessToken }), 200);
    assert.deepEqual(
      posts.map((p: any) => p.content),
      ['What do you pack?', 'A tent'],
    );
    assert.equal(posts[1].replyTo.id, posts0[0].id);
    assert.equal(
      (await expectStatus(t.api('GET', `${T}/${th.id}`, { token: bob.accessToken }), 200)).postCount,
      2,
    );
    // Forum posts are not channel messages.
    await expectStatus(
      t.api('POST', `/channels/${forum.id}/messages`, { token: bob.accessToken, body: { content: 'x' } }),
      400,
    );
    assert.deepEqual(
      await expectStatus(t.api('GET', `/channels/${forum.id}/messages`, { token: bob.accessToken }), 200),
      [],
    );

    // Lock: MANAGE_THREADS only; a locked thread refuses posts (except from thread managers).
    await expectStatus(
      t.api('PATCH', `${T}/${th.id}`, { token: bob.accessToken, body: { isLocked: true } }),
      403,
    );
    const locked = await expectStatus(
      t.api('PATCH', `${T}/${th.id}`, { token: space.owner.accessToken, body: { isLocked: true } }),
      200,
    );
    assert.equal(locked.isLocked, true);
    assert.equal(
      (await sock.waitFor('forum:thread_updated', (d) => d.id === th.id && d.isLocked)).isLocked,
      true,
    );
    await expectStatus(
      t.api('POST', `${T}/${th.id}/posts`, { token: bob.accessToken, body: { content: 'late' } }),
      403,
    );
    await expectStatus(
      t.api('POST', `${T}/${th.id}/posts`, { token: space.owner.accessToken, body: { content: 'mod note' } }),
      201,
    );
    await expectStatus(
      t.api('PATCH', `${T}/${th.id}`, { token: space.owner.accessToken, body: { isLocked: false } }),
      200,
    );
    await expectStatus(
      t.api('POST', `${T}/${th.id}/posts`, { token: bob.accessToken, body: { content: 'back' } }),
      201,
    );

    // Sorting: latest activity, newest, oldest, popular; pinned first.
    const t2 = await expectStatus(
      t.api('POST', T, { token: bob.accessToken, body: { title: 'Second', content: 'two' } }),
      201,
    );
    const t3 = await expectStatus(
      t.api('POST', T, { token: bob.accessToken, body: { title: 'Third', content: 'three' } }),
      201,
    );
    await expectStatus(
      t.api('POST', `${T}/${t2.id}/posts`, { token: bob.accessToken, body: { content: 'bump' } }),
      201,
    );
    const ids = async (q: string) =>
      (await expectStatus(t.api('GET', `${T}${q}`, { token: bob.accessToken }), 200)).map((x: any) => x.id);
    assert.deepEqual(await ids(''), [t2.id, t3.id, th.id]);
    assert.deepEqual(await ids('?sort=newest'), [t3.id, t2.id, th.id]);
    assert.deepEqual(await ids('?sort=oldest'), [th.id, t2.id, t3.id]);
    assert.deepEqual(await ids('?sort=popular'), [th.id, t2.id, t3.id]);
    assert.deepEqual(await ids('?sort=newest&limit=1'), [t3.id]);
    assert.deepEqual(await ids(`?sort=newest&before=${t3.id}`), [t2.id, th.id]);
    await expectStatus(
      t.api('PATCH', `${T}/${t3.id}`, { token: space.owner.accessToken, body: { isPinned: true } }),
      200,
    );
    assert.deepEqual(await ids('?sort=oldest'), [t3.id, th.id, t2.id]);
    // Delete: MANAGE_THREADS.
    await expectStatus(t.api('DELETE', `${T}/${t2.id}`, { token: bob.accessToken }), 403);
    await expectStatus(t.api('DELETE', `${T}/${t2.id}`, { token: space.owner.accessToken }), 204);
    await expectStatus(t.api('GET', `${T}/${t2.id}`, { token: bob.accessToken }), 404);
    // Threads only in forum channels.
    await expectStatus(
      t.api('POST', `/spaces/${space.id}/channels/${space.generalId}/threads`, {
        token: bob.accessToken,
        body: { title: 'x', content: 'y' },
      }),
      404,
    );
  } finally {
    await sock.close();
  }
});
