/**
 * Direct messages, the message side: sending (REST and dm:send), ordering under concurrency, the
 * ack after the write, pagination, edit/delete/reactions, attachments, block filtering, unreads,
 * mutes and push, GET /messages/:messageId.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from './context.ts';
import { makeAdmin, registerUsers, type TestUser } from './helpers/users.ts';
import { SioClient, barrier, until } from './realtime-clients.ts';
import { FakeFcm } from './fakes/fcm.ts';

let t: TestContext;
let fcm: FakeFcm;
const sockets: SioClient[] = [];
before(async () => {
  fcm = await FakeFcm.start();
  // 200 concurrent senders: with PostgreSQL, enough pool connections that none waits past the
  // pool's acquire timeout on this shared machine (that would be a 503, not what is tested here).
  t = await TestContext.start({ env: { ...fcm.env(), DB_POOL_SIZE: '40' } });
});
after(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await t.close();
  await fcm.close();
});

async function connect(u: TestUser): Promise<SioClient> {
  const s = await SioClient.connect(t, u.accessToken);
  sockets.push(s);
  return s;
}
const api = (u: TestUser, method: string, path: string, body?: unknown) =>
  t.api(method, path, { token: u.accessToken, ...(body !== undefined ? { body } : {}) });
const send = (u: TestUser, conv: string, content: string) =>
  api(u, 'POST', `/conversations/${conv}/messages`, { content });
async function dm(a: TestUser, b: TestUser): Promise<string> {
  return (await api(a, 'POST', `/conversations/with/${b.id}`)).body.id;
}
const byId = (x: string, y: string) => (BigInt(x) < BigInt(y) ? -1 : 1);

test('send: the ack is the stored message; the recipient gets dm:new; the list pages newest first', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  const sb = await connect(b!);
  const sent = await send(a!, conv, 'hello');
  assert.equal(sent.status, 201);
  assert.equal(sent.body.content, 'hello');
  assert.equal(sent.body.conversationId, conv);
  assert.equal(sent.body.author.username, a!.username);
  // The ack comes after the write: the row is there when the sender hears back.
  const row = await t.reef.engine.db.db
    .selectFrom('dm_messages')
    .selectAll()
    .where('id', '=', sent.body.id)
    .executeTakeFirst();
  assert.equal(row?.content, 'hello');
  const live = await sb.waitFor('dm:new', (m) => m.id === sent.body.id);
  assert.deepEqual(live, sent.body);

  const ids = [sent.body.id];
  for (const c of ['two', 'three', 'four']) ids.push((await send(b!, conv, c)).body.id);
  const page1 = await api(a!, 'GET', `/conversations/${conv}/messages?limit=3`);
  assert.deepEqual(
    page1.body.map((m: any) => m.content),
    ['four', 'three', 'two'],
  );
  const page2 = await api(a!, 'GET', `/conversations/${conv}/messages?limit=3&before=${page1.body[2].id}`);
  assert.deepEqual(
    page2.body.map((m: any) => m.content),
    ['hello'],
  );
  const forward = await api(a!, 'GET', `/conversations/${conv}/messages?after=${ids[1]}`);
  assert.deepEqual(
    forward.body.map((m: any) => m.content),
    ['three', 'four'],
  );
  assert.equal((await api(a!, 'GET', `/conversations/${conv}/messages?limit=101`)).status, 400);
  assert.equal((await send(a!, conv, '   ')).status, 400);
  assert.equal((await send(a!, conv, 'x'.repeat(4001))).status, 400);
});

test('200 concurrent DMs from both sides: each stored and delivered once, in id order', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  const [sa, sb] = await Promise.all([connect(a!), connect(b!)]);
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => send(i % 2 ? a! : b!, conv, `m${i}`)),
  );
  assert.ok(
    results.every((r) => r.status === 201),
    results.find((r) => r.status !== 201)?.text,
  );
  const sentIds = results.map((r) => r.body.id);
  assert.equal(new Set(sentIds).size, 200);
  const rows = await t.reef.engine.db.db
    .selectFrom('dm_messages')
    .select(['id', 'content'])
    .where('conversation_id', '=', conv)
    .execute();
  assert.equal(rows.length, 200);
  assert.deepEqual(rows.map((r) => r.content).sort(), results.map((r) => r.body.content).sort());
  await barrier(t, `dm:${conv}`, [sa, sb]);
  for (const s of [sa, sb]) {
    const got = s.named('dm:new').map((m) => m.id);
    assert.equal(got.length, 200, 'each message once');
    assert.deepEqual(got, [...got].sort(byId), 'in id order');
    assert.deepEqual([...got].sort(byId), [...sentIds].sort(byId));
  }
  const list = await api(a!, 'GET', `/conversations/${conv}/messages?limit=100`);
  assert.deepEqual(
    list.body.map((m: any) => m.id),
    [...sentIds].sort(byId).reverse().slice(0, 100),
  );
});

test('dm:send over the socket, dm:typing to the others', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  const [sa, sb] = await Promise.all([connect(a!), connect(b!)]);
  const ack = await sa.call('dm:send', { conversationId: conv, content: 'via socket' });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  assert.equal(ack.data.content, 'via socket');
  assert.equal((await sb.waitFor('dm:new', (m) => m.id === ack.data.id)).authorId, a!.id);
  const bad = await sa.call('dm:send', { conversationId: conv });
  assert.equal(bad.ok, false);
  assert.equal(bad.error?.code, 'VALIDATION_ERROR');
  assert.equal((await sa.call('dm:typing', { conversationId: conv })).ok, true);
  assert.deepEqual(await sb.waitFor('dm:typing'), {
    conversationId: conv,
    userId: a!.id,
    username: a!.username,
  });
  const outsider = (await registerUsers(t, 1))[0]!;
  const so = await connect(outsider);
  assert.equal((await so.call('dm:join', { conversationId: conv })).ok, false);
  assert.equal((await so.call('dm:send', { conversationId: conv, content: 'hi' })).error?.code, 'NOT_FOUND');
});

test('edit by the author only; delete by the author or a global admin; reactions; all announced', async () => {
  const [a, b, admin] = await registerUsers(t, 3);
  await makeAdmin(t, admin!.id);
  const conv = await dm(a!, b!);
  const sb = await connect(b!);
  const m = (await send(a!, conv, 'typo')).body;
  assert.equal(
    (await api(b!, 'PATCH', `/conversations/${conv}/messages/${m.id}`, { content: 'hack' })).status,
    403,
  );
  const edited = await api(a!, 'PATCH', `/conversations/${conv}/messages/${m.id}`, { content: 'fixed' });
  assert.equal(edited.body.content, 'fixed');
  assert.ok(edited.body.editedAt);
  assert.equal((await sb.waitFor('dm:updated', (x) => x.id === m.id)).content, 'fixed');

  const r1 = await api(
    b!,
    'PUT',
    `/conversations/${conv}/messages/${m.id}/reactions/${encodeURIComponent('👍')}`,
  );
  assert.equal(r1.status, 200);
  await api(a!, 'PUT', `/conversations/${conv}/messages/${m.id}/reactions/${encodeURIComponent('👍')}`);
  await api(a!, 'PUT', `/conversations/${conv}/messages/${m.id}/reactions/${encodeURIComponent('🎉')}`);
  const update = await sb.waitFor('dm:reactions_updated', (x) => x.reactions.length === 2);
  assert.deepEqual(update, {
    conversationId: conv,
    messageId: m.id,
    reactions: [
      { emoji: '👍', count: 2, userIds: [b!.id, a!.id] },
      { emoji: '🎉', count: 1, userIds: [a!.id] },
    ],
  });
  assert.equal(
    (await api(a!, 'DELETE', `/conversations/${conv}/messages/${m.id}/reactions/${encodeURIComponent('🎉')}`))
      .status,
    204,
  );
  const listed = await api(b!, 'GET', `/conversations/${conv}/messages`);
  assert.deepEqual(listed.body[0].reactions, [{ emoji: '👍', count: 2, userIds: [b!.id, a!.id] }]);

  assert.equal((await api(b!, 'DELETE', `/conversations/${conv}/messages/${m.id}`)).status, 403);
  const other = (await send(b!, conv, 'mine')).body;
  assert.equal((await api(b!, 'DELETE', `/conversations/${conv}/messages/${other.id}`)).status, 204);
  assert.deepEqual(await sb.waitFor('dm:deleted', (x) => x.messageId === other.id), {
    conversationId: conv,
    messageId: other.id,
  });
  assert.equal(
    (await api(admin!, 'DELETE', `/conversations/${conv}/messages/${m.id}`)).status,
    204,
    'a global admin',
  );
  assert.deepEqual((await api(a!, 'GET', `/conversations/${conv}/messages`)).body, []);
});

test('attachments: upload with a message, add to it later; the per-file limits', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  const form = new FormData();
  form.append('content', 'photos');
  form.append('files', new Blob([Buffer.from('png-bytes')], { type: 'image/png' }), 'a.png');
  form.append('files', new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }), 'b.pdf');
  const up = await t.api('POST', `/conversations/${conv}/messages/upload`, {
    token: a!.accessToken,
    raw: form,
  });
  assert.equal(up.status, 201, up.text);
  assert.equal(up.body.content, 'photos');
  assert.deepEqual(
    up.body.attachments.map((x: any) => [x.filename, x.mimeType, x.size]),
    [
      ['a.png', 'image/png', 9],
      ['b.pdf', 'application/pdf', 4],
    ],
  );
  const file = await fetch(t.url + up.body.attachments[0].url);
  assert.equal(Buffer.from(await file.arrayBuffer()).toString(), 'png-bytes');

  const more = new FormData();
  more.append('files', new Blob([Buffer.from('txt')], { type: 'text/plain' }), 'c.txt');
  const added = await t.api('POST', `/conversations/${conv}/messages/${up.body.id}/attachments`, {
    token: a!.accessToken,
    raw: more,
  });
  assert.equal(added.status, 200, added.text);
  assert.equal(added.body.attachments.length, 3);
  assert.equal(
    (
      await t.api('POST', `/conversations/${conv}/messages/${up.body.id}/attachments`, {
        token: b!.accessToken,
        raw: more,
      })
    ).status,
    403,
  );

  const big = new FormData();
  big.append('files', new Blob([Buffer.alloc(10 * 1024 * 1024 + 1)], { type: 'image/jpeg' }), 'big.jpg');
  assert.equal(
    (await t.api('POST', `/conversations/${conv}/messages/upload`, { token: a!.accessToken, raw: big }))
      .status,
    413,
  );
  const video = new FormData();
  video.append('files', new Blob([Buffer.alloc(10 * 1024 * 1024 + 1)], { type: 'video/mp4' }), 'clip.mp4');
  assert.equal(
    (await t.api('POST', `/conversations/${conv}/messages/upload`, { token: a!.accessToken, raw: video }))
      .status,
    201,
  );
  const many = new FormData();
  for (let i = 0; i < 21; i++)
    many.append('files', new Blob([Buffer.from('x')], { type: 'text/plain' }), `${i}.txt`);
  assert.equal(
    (await t.api('POST', `/conversations/${conv}/messages/upload`, { token: a!.accessToken, raw: many }))
      .status,
    400,
  );
  const none = new FormData();
  none.append('content', '');
  assert.equal(
    (await t.api('POST', `/conversations/${conv}/messages/upload`, { token: a!.accessToken, raw: none }))
      .status,
    400,
  );
});

test('a group member who blocked someone does not see their messages, nor counts them unread', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  const conv = (await api(a!, 'POST', '/conversations/groups', { participantIds: [b!.id, c!.id] })).body.id;
  await api(c!, 'PUT', `/users/blocks/${a!.id}`);
  await send(a!, conv, 'from a');
  await send(b!, conv, 'from b');
  const seenByC = await api(c!, 'GET', `/conversations/${conv}/messages`);
  assert.deepEqual(
    seenByC.body.map((m: any) => m.content),
    ['from b'],
  );
  const seenByB = await api(b!, 'GET', `/conversations/${conv}/messages`);
  assert.deepEqual(
    seenByB.body.map((m: any) => m.content),
    ['from b', 'from a'],
  );
  assert.deepEqual((await api(c!, 'GET', '/conversations/unreads')).body, {
    total: 1,
    conversations: [{ conversationId: conv, unreadCount: 1 }],
  });
});

test('unreads, mark read, mute: muted conversations neither count nor push', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  await api(b!, 'POST', '/devices/register', { token: `push-${b!.id}`, platform: 'android' });
  const sb = await connect(b!);
  await send(a!, conv, 'one');
  await send(a!, conv, 'two');
  await send(b!, conv, 'mine');
  assert.deepEqual((await api(b!, 'GET', '/conversations/unreads')).body, {
    total: 2,
    conversations: [{ conversationId: conv, unreadCount: 2 }],
  });
  // b was notified and pushed (one per batch at least), with the latest message
  const note = await sb.waitFor('notification:new', (n) => n.type === 'dm' && n.data.preview === 'two');
  assert.equal(note.data.conversationId, conv);
  const [push] = await fcm.sent.waitFor(
    (r) => r.message.token === `push-${b!.id}` && r.message.notification?.body === 'two',
  );
  assert.equal(push!.message.notification?.title, `User ${a!.username}`);
  assert.equal(push!.message.data?.conversationId, conv);

  assert.equal((await api(b!, 'PUT', `/conversations/${conv}/read`)).status, 204);
  assert.deepEqual((await api(b!, 'GET', '/conversations/unreads')).body, { total: 0, conversations: [] });

  assert.equal((await api(b!, 'PUT', `/conversations/${conv}/mute`)).status, 204);
  const listed = await api(b!, 'GET', '/conversations');
  assert.equal(listed.body.find((c: any) => c.id === conv).muted, true);
  const before = fcm.sent.items.filter((r) => r.message.token === `push-${b!.id}`).length;
  const quiet = (await send(a!, conv, 'shh')).body;
  assert.deepEqual((await api(b!, 'GET', '/conversations/unreads')).body, { total: 0, conversations: [] });
  await sb.waitFor('dm:new', (m) => m.id === quiet.id);
  // The notify job of the batch runs after its fan-out; give it the time a push would take.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(
    fcm.sent.items.filter((r) => r.message.token === `push-${b!.id}`).length,
    before,
    'no push while muted',
  );

  await api(b!, 'DELETE', `/conversations/${conv}/mute`);
  const loud = (await send(a!, conv, 'hey')).body;
  await fcm.sent.waitFor((r) => r.message.token === `push-${b!.id}` && r.message.data?.messageId === loud.id);
  // Muting hid the count, it did not mark anything read: both messages since count now.
  assert.equal((await api(b!, 'GET', '/conversations/unreads')).body.total, 2);

  // The `dm` mobile preference off: notified in the app, not pushed.
  await api(b!, 'PUT', '/notifications/me/subscriptions', {
    selections: [{ notif_id: 'dm', channels: { mobile: false } }],
  });
  const count = () => fcm.sent.items.filter((r) => r.message.token === `push-${b!.id}`).length;
  const pushed = count();
  const unpushed = (await send(a!, conv, 'in the app only')).body;
  await sb.waitFor('notification:new', (n) => n.type === 'dm' && n.data.messageId === unpushed.id);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(count(), pushed, 'no push with mobile off');
  await api(b!, 'PUT', '/notifications/me/subscriptions', {
    selections: [{ notif_id: 'dm', channels: { mobile: true } }],
  });
  const back = (await send(a!, conv, 'pushed again')).body;
  await fcm.sent.waitFor((r) => r.message.token === `push-${b!.id}` && r.message.data?.messageId === back.id);
});

test('dm notifications: the in_app preference and a mute of the author keep them out; one per batch', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  const sb = await connect(b!);
  const stored = async (messageId: string) =>
    (
      await t.reef.engine.db.db
        .selectFrom('notifications')
        .select(['type', 'data'])
        .where('user_id', '=', b!.id)
        .execute()
    ).filter((n) => (n.data as { messageId?: string }).messageId === messageId);
  // 1. `dm` in_app off: the message arrives, no notification is stored or emitted.
  await api(b!, 'PUT', '/notifications/me/subscriptions', {
    selections: [{ notif_id: 'dm', channels: { in_app: false } }],
  });
  const hidden = (await send(a!, conv, 'not in the app')).body;
  await sb.waitFor('dm:new', (m) => m.id === hidden.id);
  // The notifications of a commit are written after its fan-out; give them the time they take.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await stored(hidden.id), []);
  assert.equal(sb.named('notification:new').filter((n) => n.data.messageId === hidden.id).length, 0);
  // 2. in_app back on, but b mutes a: still nothing.
  await api(b!, 'PUT', '/notifications/me/subscriptions', {
    selections: [{ notif_id: 'dm', channels: { in_app: true } }],
  });
  assert.equal((await api(b!, 'PUT', `/users/mutes/${a!.id}`)).status < 300, true);
  const muted = (await send(a!, conv, 'from a muted user')).body;
  await sb.waitFor('dm:new', (m) => m.id === muted.id);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await stored(muted.id), []);
  // 3. Unmuted: stored and emitted, with the message's facts.
  await api(b!, 'DELETE', `/users/mutes/${a!.id}`);
  const back = (await send(a!, conv, 'hello again')).body;
  const note = await sb.waitFor('notification:new', (n) => n.type === 'dm' && n.data.messageId === back.id);
  assert.equal(note.userId, b!.id);
  assert.deepEqual(
    { ...note.data },
    {
      conversationId: conv,
      messageId: back.id,
      count: 1,
      authorId: a!.id,
      authorUsername: a!.username,
      authorDisplayName: back.author.displayName,
      preview: 'hello again',
    },
  );
  const rows = await stored(back.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.type, 'dm');
  // The sender is not notified of their own message.
  const own = await t.reef.engine.db.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', a!.id)
    .where('type', '=', 'dm')
    .execute();
  assert.deepEqual(own, []);
});

test('GET /messages/:messageId finds a DM for its members only', async () => {
  const [a, b, x] = await registerUsers(t, 3);
  const conv = await dm(a!, b!);
  const m = (await send(a!, conv, 'find me')).body;
  const found = await api(b!, 'GET', `/messages/${m.id}`);
  assert.equal(found.status, 200);
  assert.equal(found.body.content, 'find me');
  assert.equal(found.body.conversationId, conv);
  assert.equal((await api(x!, 'GET', `/messages/${m.id}`)).status, 404);
  assert.equal((await api(a!, 'GET', `/messages/1`)).status, 404);
  assert.equal((await api(a!, 'GET', `/messages/abc`)).status, 400);
});

test('devices: register (both token types), move to another user, unregister', async () => {
  const [a, b] = await registerUsers(t, 2);
  const devices = () =>
    t.reef.engine.db.db
      .selectFrom('devices')
      .selectAll()
      .where('token', 'like', `dev-${a!.id}%`)
      .orderBy('token')
      .execute();
  assert.deepEqual(
    (
      await api(a!, 'POST', '/devices/register', {
        token: `dev-${a!.id}-1`,
        platform: 'ios',
        appVersion: '1.2.3',
      })
    ).body,
    { success: true },
  );
  await api(a!, 'POST', '/devices/register', { token: `dev-${a!.id}-2`, platform: 'ios', tokenType: 'voip' });
  assert.deepEqual(
    (await devices()).map((d) => [d.user_id, d.platform, d.token_type, d.app_version]),
    [
      [a!.id, 'ios', 'standard', '1.2.3'],
      [a!.id, 'ios', 'voip', null],
    ],
  );
  assert.equal((await api(a!, 'POST', '/devices/register', { token: 'x', platform: 'windows' })).status, 400);
  assert.equal(
    (await api(a!, 'POST', '/devices/register', { token: 'x', platform: 'ios', tokenType: 'pager' })).status,
    400,
  );
  await api(b!, 'POST', '/devices/register', { token: `dev-${a!.id}-1`, platform: 'ios' });
  assert.equal((await devices())[0]!.user_id, b!.id, 'the token moved with the device');
  assert.equal((await api(a!, 'DELETE', `/devices/${encodeURIComponent(`dev-${a!.id}-1`)}`)).status, 204);
  assert.equal((await devices()).length, 2, "a cannot remove b's token");
  assert.equal((await api(a!, 'DELETE', `/devices/${encodeURIComponent(`dev-${a!.id}-2`)}`)).status, 204);
  await until(async () => (await devices()).length === 1);
});
