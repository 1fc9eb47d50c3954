import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { Permission } from '../../actors/space/permissions.ts';
import {
  addMember,
  createChannel,
  createRole,
  createSpace,
  expectStatus,
  grantRoles,
  send,
} from './helpers.ts';
import { until } from '../realtime-clients.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

const list = (token: string, channelId: string, q = '') =>
  expectStatus(t.api('GET', `/channels/${channelId}/messages${q}`, { token }), 200);

test('cursor pagination: newest first, before pages back, after pages forward ascending, limit <= 100', async () => {
  const space = await createSpace(t);
  const tok = space.owner.accessToken;
  const sent: string[] = [];
  for (let i = 0; i < 7; i++) sent.push((await send(t, space.owner, space.generalId, `n${i}`)).id);
  const first = await list(tok, space.generalId, '?limit=3');
  assert.deepEqual(
    first.map((m: any) => m.content),
    ['n6', 'n5', 'n4'],
  );
  const back = await list(tok, space.generalId, `?limit=3&before=${first[2].id}`);
  assert.deepEqual(
    back.map((m: any) => m.content),
    ['n3', 'n2', 'n1'],
  );
  const fwd = await list(tok, space.generalId, `?limit=3&after=${sent[1]}`);
  assert.deepEqual(
    fwd.map((m: any) => m.content),
    ['n2', 'n3', 'n4'],
  );
  assert.equal((await list(tok, space.generalId)).length, 7, 'default limit 50');
  await expectStatus(t.api('GET', `/channels/${space.generalId}/messages?limit=101`, { token: tok }), 400);
});

test('edit by the author only; delete by the author or MANAGE_MESSAGES', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  const m = await send(t, bob, space.generalId, 'original');
  await expectStatus(
    t.api('PATCH', `/channels/${space.generalId}/messages/${m.id}`, {
      token: carol.accessToken,
      body: { content: 'hijack' },
    }),
    403,
  );
  await expectStatus(
    t.api('PATCH', `/channels/${space.generalId}/messages/${m.id}`, {
      token: space.owner.accessToken,
      body: { content: 'owner' },
    }),
    403,
  );
  const edited = await expectStatus(
    t.api('PATCH', `/channels/${space.generalId}/messages/${m.id}`, {
      token: bob.accessToken,
      body: { content: 'fixed' },
    }),
    200,
  );
  assert.equal(edited.content, 'fixed');
  assert.ok(edited.editedAt);
  assert.equal((await list(carol.accessToken, space.generalId))[0].content, 'fixed');
  await expectStatus(
    t.api('DELETE', `/channels/${space.generalId}/messages/${m.id}`, { token: carol.accessToken }),
    403,
  );
  const mod = await createRole(t, space, Permission.MANAGE_MESSAGES);
  await grantRoles(t, space, carol, [mod]);
  await expectStatus(
    t.api('DELETE', `/channels/${space.generalId}/messages/${m.id}`, { token: carol.accessToken }),
    204,
  );
  assert.deepEqual(await list(bob.accessToken, space.generalId), []);
  const own = await send(t, bob, space.generalId, 'mine');
  await expectStatus(
    t.api('DELETE', `/channels/${space.generalId}/messages/${own.id}`, { token: bob.accessToken }),
    204,
  );
});

test('block filtering: a blocked author is hidden from the blocker only', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  await send(t, carol, space.generalId, 'before');
  const m = await send(t, bob, space.generalId, 'from bob');
  await expectStatus(t.api('PUT', `/users/blocks/${bob.id}`, { token: carol.accessToken }), 204);
  const carolView = await list(carol.accessToken, space.generalId);
  assert.deepEqual(
    carolView.map((x: any) => x.content),
    ['before'],
  );
  const ownerView = await list(space.owner.accessToken, space.generalId);
  assert.deepEqual(
    ownerView.map((x: any) => x.content),
    ['from bob', 'before'],
  );
  await expectStatus(t.api('GET', `/messages/${m.id}`, { token: carol.accessToken }), 404);
  assert.equal(
    (await expectStatus(t.api('GET', `/messages/${m.id}`, { token: space.owner.accessToken }), 200)).content,
    'from bob',
  );
  const unreads = await expectStatus(
    t.api('GET', `/spaces/${space.id}/channels/unreads`, { token: carol.accessToken }),
    200,
  );
  assert.equal(
    unreads[space.generalId].unreadCount,
    0,
    "carol's own message and bob's (blocked) do not count",
  );
});

test('reactions: once per emoji per user, ADD_REACTIONS required to add, remove your own', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  const m = await send(t, space.owner, space.generalId, 'react to me');
  const path = (e: string) =>
    `/channels/${space.generalId}/messages/${m.id}/reactions/${encodeURIComponent(e)}`;
  await expectStatus(t.api('PUT', path('🔥'), { token: bob.accessToken }), 200);
  const again = await expectStatus(t.api('PUT', path('🔥'), { token: bob.accessToken }), 200);
  assert.deepEqual(again.reactions, [{ emoji: '🔥', count: 1, userIds: [bob.id], me: true }]);
  await expectStatus(t.api('PUT', path('🔥'), { token: carol.accessToken }), 200);
  await expectStatus(t.api('PUT', path('👀'), { token: carol.accessToken }), 200);
  const [listed] = await list(space.owner.accessToken, space.generalId);
  assert.deepEqual(listed.reactions, [
    { emoji: '🔥', count: 2, userIds: [bob.id, carol.id], me: false },
    { emoji: '👀', count: 1, userIds: [carol.id], me: false },
  ]);
  await expectStatus(t.api('DELETE', path('🔥'), { token: bob.accessToken }), 200);
  const [after1] = await list(bob.accessToken, space.generalId);
  assert.deepEqual(after1.reactions[0], { emoji: '🔥', count: 1, userIds: [carol.id], me: false });
  // The default role loses ADD_REACTIONS in #general.
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/channels/${space.generalId}/overrides/${space.defaultRoleId}`, {
      token: space.owner.accessToken,
      body: { allow: '0', deny: Permission.ADD_REACTIONS.toString() },
    }),
    200,
  );
  await expectStatus(t.api('PUT', path('🎉'), { token: bob.accessToken }), 403);
});

test('pins by MANAGE_MESSAGES; replies carry replyTo and form the thread', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const root = await send(t, bob, space.generalId, 'root');
  await expectStatus(
    t.api('PUT', `/channels/${space.generalId}/messages/${root.id}/pin`, { token: bob.accessToken }),
    403,
  );
  const pinned = await expectStatus(
    t.api('PUT', `/channels/${space.generalId}/messages/${root.id}/pin`, { token: space.owner.accessToken }),
    200,
  );
  assert.equal(pinned.pinned, true);
  const pins = await expectStatus(
    t.api('GET', `/channels/${space.generalId}/pins`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(
    pins.map((p: any) => p.id),
    [root.id],
  );
  await expectStatus(
    t.api('DELETE', `/channels/${space.generalId}/messages/${root.id}/pin`, {
      token: space.owner.accessToken,
    }),
    200,
  );
  assert.deepEqual(
    await expectStatus(t.api('GET', `/channels/${space.generalId}/pins`, { token: bob.accessToken }), 200),
    [],
  );

  const r1 = await send(t, space.owner, space.generalId, 'reply one', { replyToId: root.id });
  assert.deepEqual(r1.replyTo, {
    id: root.id,
    content: 'root',
    author: { id: bob.id, username: bob.username, displayName: bob.user.displayName },
  });
  await send(t, bob, space.generalId, 'unrelated');
  const r2 = await send(t, bob, space.generalId, 'reply two', { replyToId: root.id });
  const thread = await expectStatus(
    t.api('GET', `/channels/${space.generalId}/messages/${root.id}/thread`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(
    thread.map((m: any) => m.id),
    [r1.id, r2.id],
  );
  const other = await createChannel(t, space);
  await expectStatus(
    t.api('POST', `/channels/${other.id}/messages`, {
      token: bob.accessToken,
      body: { content: 'x', replyToId: root.id },
    }),
    400,
  );
  // The reply notified the parent's author.
  const notes = await t.reef.engine.db.db
    .selectFrom('notifications')
    .select(['type', 'data'])
    .where('user_id', '=', bob.id)
    .execute();
  assert.ok(notes.some((n) => n.type === 'reply' && (n.data as any).messageId === r1.id));
});

test('unread and mention counts per channel; read marker; enter in one round trip', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const alice = await addMember(t, space);
  const quiet = await createChannel(t, space, { name: 'quiet' });
  const m1 = await send(t, bob, space.generalId, 'one');
  await send(t, bob, space.generalId, `hey @${alice.username}`);
  await send(t, bob, space.generalId, 'three');
  const u = await expectStatus(
    t.api('GET', `/spaces/${space.id}/channels/unreads`, { token: alice.accessToken }),
    200,
  );
  assert.deepEqual(u[space.generalId], { unreadCount: 3, mentionCount: 1 });
  assert.deepEqual(u[quiet.id], { unreadCount: 0, mentionCount: 0 });
  assert.equal(u[space.adminChannelId], undefined, 'invisible channels are not listed');
  const ub = await expectStatus(
    t.api('GET', `/spaces/${space.id}/channels/unreads`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(ub[space.generalId], { unreadCount: 0, mentionCount: 0 }, 'own messages are not unread');
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/channels/${space.generalId}/read`, {
      token: alice.accessToken,
      body: { messageId: m1.id },
    }),
    200,
  );
  const u2 = await expectStatus(
    t.api('GET', `/spaces/${space.id}/channels/unreads`, { token: alice.accessToken }),
    200,
  );
  assert.deepEqual(u2[space.generalId], { unreadCount: 2, mentionCount: 1 });
  const notes = await t.reef.engine.db.db
    .selectFrom('notifications')
    .select('type')
    .where('user_id', '=', alice.id)
    .execute();
  assert.deepEqual(
    notes.map((n) => n.type),
    ['mention'],
  );

  const cat = await expectStatus(
    t.api('POST', `/spaces/${space.id}/categories`, {
      token: space.owner.accessToken,
      body: { name: 'Talk' },
    }),
    201,
  );
  const e = await expectStatus(t.api('GET', `/spaces/${space.id}/enter`, { token: alice.accessToken }), 200);
  assert.equal(e.channelId, space.generalId);
  assert.deepEqual(
    e.channels.map((c: any) => c.id),
    [space.generalId, quiet.id],
  );
  assert.deepEqual(
    e.categories.map((c: any) => c.id),
    [cat.id],
  );
  assert.deepEqual(e.unreads[space.generalId], { unreadCount: 2, mentionCount: 1 });
  assert.deepEqual(
    e.messages.map((m: any) => m.content),
    ['three', `hey @${alice.username}`, 'one'],
  );
  const e2 = await expectStatus(
    t.api('GET', `/spaces/${space.id}/enter?channelId=${quiet.id}`, { token: alice.accessToken }),
    200,
  );
  assert.equal(e2.channelId, quiet.id);
  assert.deepEqual(e2.messages, []);
  await expectStatus(
    t.api('GET', `/spaces/${space.id}/enter?channelId=${space.adminChannelId}`, { token: alice.accessToken }),
    403,
  );
});

test('search: full text over the channels the caller can see', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const secret = await createChannel(t, space, { isPrivate: true });
  await send(t, bob, space.generalId, 'Climbing the mountains tomorrow');
  await send(t, bob, space.generalId, 'bring snacks');
  await send(t, space.owner, secret.id, 'secret mountain plans');
  const mine = await expectStatus(
    t.api('GET', `/spaces/${space.id}/search?q=mountain`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(
    mine.map((m: any) => m.content),
    ['Climbing the mountains tomorrow'],
  );
  const owner = await expectStatus(
    t.api('GET', `/spaces/${space.id}/search?q=mountain`, { token: space.owner.accessToken }),
    200,
  );
  assert.deepEqual(
    owner.map((m: any) => m.content),
    ['secret mountain plans', 'Climbing the mountains tomorrow'],
  );
});

test('mention notifications respect the member settings muteMentions / muteAll', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const alice = await addMember(t, space);
  const carol = await addMember(t, space);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/settings/me`, {
      token: carol.accessToken,
      body: { muteMentions: true },
    }),
    200,
  );
  const m = await send(t, bob, space.generalId, `@${alice.username} @${carol.username} look`);
  const notes = (u: string) =>
    t.reef.engine.db.db
      .selectFrom('notifications')
      .select(['type', 'data'])
      .where('user_id', '=', u)
      .execute();
  await until(async () => (await notes(alice.id)).length > 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    (await notes(alice.id)).map((n) => [n.type, (n.data as any).messageId]),
    [['mention', m.id]],
  );
  assert.deepEqual(await notes(carol.id), []);
  const u = await expectStatus(
    t.api('GET', `/spaces/${space.id}/channels/unreads`, { token: carol.accessToken }),
    200,
  );
  assert.deepEqual(
    u[space.generalId],
    { unreadCount: 1, mentionCount: 1 },
    'the mention still counts as unread',
  );
});
