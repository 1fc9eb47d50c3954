/**
 * Spec "Notifications": a paginated list, unread count, read and read-all; resolvedStatus for
 * actionable types; social-graph-api "Notification Preferences" (GET/PUT subscriptions for `me` or
 * one's own id); `in_app` off stores nothing; a muted or blocked actor notifies nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { SioClient, barrier } from '../realtime-clients.ts';
import { createPost, ok } from '../social/helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

test('list (newest first, keyset), unread count, read one, read all', async () => {
  const [me, other] = await registerUsers(t, 2);
  const p = await createPost(t, me!, { body: 'react' });
  for (const e of ['a1', 'a2', 'a3', 'a4', 'a5'])
    await ok(t.api('PUT', `/users/${me!.id}/posts/${p.id}/reactions/${e}`, { token: other!.accessToken }));
  const all = await ok<any[]>(t.api('GET', '/notifications', { token: me!.accessToken }));
  assert.deepEqual(
    all.map((n) => n.data.emoji),
    ['a5', 'a4', 'a3', 'a2', 'a1'],
  );
  assert.deepEqual(Object.keys(all[0]).sort(), [
    'createdAt',
    'data',
    'id',
    'read',
    'readAt',
    'resolvedStatus',
    'type',
    'userId',
  ]);
  assert.equal(all[0].type, 'reaction');
  assert.equal(all[0].resolvedStatus, null);
  assert.equal(all[0].data.postId, p.id);
  const page2 = await ok<any[]>(
    t.api('GET', `/notifications?limit=2&before=${all[1].id}`, { token: me!.accessToken }),
  );
  assert.deepEqual(
    page2.map((n) => n.data.emoji),
    ['a3', 'a2'],
  );
  assert.deepEqual(await ok(t.api('GET', '/notifications/unread-count', { token: me!.accessToken })), {
    count: 5,
  });

  const read = await ok(t.api('PUT', `/notifications/${all[2].id}/read`, { token: me!.accessToken }));
  assert.equal(read.read, true);
  assert.ok(read.readAt);
  assert.deepEqual(await ok(t.api('GET', '/notifications/unread-count', { token: me!.accessToken })), {
    count: 4,
  });
  const unread = await ok<any[]>(t.api('GET', '/notifications?unread=true', { token: me!.accessToken }));
  assert.equal(unread.length, 4);
  assert.ok(!unread.some((n) => n.id === all[2].id));
  // Someone else's notification is not found.
  assert.equal(
    (await t.api('PUT', `/notifications/${all[0].id}/read`, { token: other!.accessToken })).status,
    404,
  );

  const r = await ok(t.api('PUT', '/notifications/read-all', { token: me!.accessToken }));
  assert.equal(r.updated, 4);
  assert.deepEqual(await ok(t.api('GET', '/notifications/unread-count', { token: me!.accessToken })), {
    count: 0,
  });
  const after = await ok<any[]>(t.api('GET', '/notifications', { token: me!.accessToken }));
  assert.ok(after.every((n) => n.read));
});

test('subscriptions: GET for me or one’s own id, PUT per type and channel, another user’s is 403', async () => {
  const [me, other] = await registerUsers(t, 2);
  const got = await ok(t.api('GET', '/notifications/me/subscriptions', { token: me!.accessToken }));
  assert.equal(got.status, 'success');
  assert.deepEqual(got.available_channels, ['email', 'in_app', 'mobile']);
  const social = got.subscriptions.find((g: any) => g.group_name === 'Social');
  assert.deepEqual(
    social.subscriptions.map((s: any) => s.notif_id),
    ['follow_request', 'post_tag', 'post_comment', 'reaction'],
  );
  const all = got.subscriptions.flatMap((g: any) => g.subscriptions.map((s: any) => s.notif_id)).sort();
  assert.deepEqual(all, [
    'dm',
    'dm_request',
    'event_cancelled',
    'event_organizer_needed',
    'event_rsvp',
    'follow_request',
    'mention',
    'new_blog_post',
    'new_event',
    'new_upload',
    'personal_recommendation',
    'portal_invite',
    'post_comment',
    'post_tag',
    'reaction',
    'reply',
  ]);
  const sel = (b: any, id: string) => b.user_selections.find((s: any) => s.notif_id === id).channels;
  assert.deepEqual(sel(got, 'reaction'), { email: false, in_app: true, mobile: true });

  const put = await ok(
    t.api('PUT', `/notifications/${me!.id}/subscriptions`, {
      token: me!.accessToken,
      body: { selections: [{ notif_id: 'reaction', channels: { in_app: false, email: true } }] },
    }),
  );
  assert.deepEqual(put, { status: 'success' });
  const again = await ok(t.api('GET', `/notifications/${me!.id}/subscriptions`, { token: me!.accessToken }));
  assert.deepEqual(sel(again, 'reaction'), { email: true, in_app: false, mobile: true });
  assert.deepEqual(sel(again, 'post_comment'), { email: false, in_app: true, mobile: true });

  assert.equal(
    (await t.api('GET', `/notifications/${other!.id}/subscriptions`, { token: me!.accessToken })).status,
    403,
  );
  const unknown = await t.api('PUT', '/notifications/me/subscriptions', {
    token: me!.accessToken,
    body: { selections: [{ notif_id: 'nope', channels: { email: true } }] },
  });
  assert.equal(unknown.status, 400);
  const bad = await t.api('PUT', '/notifications/me/subscriptions', {
    token: me!.accessToken,
    body: { selections: [{ notif_id: 'reaction', channels: { email: 'yes' } }] },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'VALIDATION_ERROR');
});

test('in_app off: no row and no notification:new; other types still arrive', async () => {
  const [me, other] = await registerUsers(t, 2);
  await ok(
    t.api('PUT', '/notifications/me/subscriptions', {
      token: me!.accessToken,
      body: { selections: [{ notif_id: 'reaction', channels: { in_app: false } }] },
    }),
  );
  const p = await createPost(t, me!, { body: 'x' });
  const sock = await SioClient.connect(t, me!.accessToken);
  try {
    await barrier(t, `user:${me!.id}`, [sock]);
    await ok(t.api('PUT', `/users/${me!.id}/posts/${p.id}/reactions/ok`, { token: other!.accessToken }));
    await ok(
      t.api('POST', `/users/${me!.id}/posts/${p.id}/comments`, {
        token: other!.accessToken,
        body: { body: 'c' },
      }),
      201,
    );
    await sock.waitFor('notification:new', (n) => n.type === 'post_comment');
    await barrier(t, `user:${me!.id}`, [sock]);
    assert.deepEqual(
      sock.named('notification:new').map((n) => n.type),
      ['post_comment'],
    );
  } finally {
    await sock.close();
  }
  const rows = await t.reef.engine.db.db
    .selectFrom('notifications')
    .select('type')
    .where('user_id', '=', me!.id)
    .execute();
  assert.deepEqual(rows, [{ type: 'post_comment' }]);
});

test('a muted or blocked actor notifies nothing', async () => {
  const [me, muted, blocked, other] = await registerUsers(t, 4);
  const p = await createPost(t, me!, { body: 'x' });
  await ok(t.api('PUT', `/users/mutes/${muted!.id}`, { token: me!.accessToken }), 204);
  await ok(t.api('PUT', `/users/${me!.id}/posts/${p.id}/reactions/m`, { token: muted!.accessToken }));
  await ok(
    t.api('POST', `/users/${me!.id}/posts/${p.id}/comments`, {
      token: muted!.accessToken,
      body: { body: 'hi' },
    }),
    201,
  );
  await ok(t.api('PUT', `/users/blocks/${me!.id}`, { token: blocked!.accessToken }), 204);
  // The blocker cannot see the post any more either; notify directly as a feature would.
  await t.reef.services.notifier.notify(me!.id, 'mention', { authorId: blocked!.id, preview: 'psst' });
  await ok(t.api('PUT', `/users/${me!.id}/posts/${p.id}/reactions/o`, { token: other!.accessToken }));
  const notes = await ok<any[]>(t.api('GET', '/notifications', { token: me!.accessToken }));
  assert.deepEqual(
    notes.map((n) => [n.type, n.data.actorId]),
    [['reaction', other!.id]],
  );
});
