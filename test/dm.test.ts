/**
 * Direct messages, the conversation side (spec "Direct Messages", "Block Filtering", the DM socket
 * events): who gets a live conversation and who a message request, blocks, groups, delete. Each test
 * has its own users and real Socket.io clients.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from './context.ts';
import { registerUser, registerUsers, type TestUser } from './helpers/users.ts';
import { SioClient, barrier, until } from './realtime-clients.ts';

let t: TestContext;
const sockets: SioClient[] = [];
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await t.close();
});

async function connect(u: TestUser): Promise<SioClient> {
  const s = await SioClient.connect(t, u.accessToken);
  sockets.push(s);
  return s;
}
const prefs = (u: TestUser, body: Record<string, string>) =>
  t
    .api('PUT', '/users/preferences', { token: u.accessToken, body })
    .then((r) => assert.equal(r.status, 200, r.text));
const open = (from: TestUser, to: TestUser) =>
  t.api('POST', `/conversations/with/${to.id}`, { token: from.accessToken });
const send = (from: TestUser, conversationId: string, content: string) =>
  t.api('POST', `/conversations/${conversationId}/messages`, { token: from.accessToken, body: { content } });
const memberStatus = (c: any, userId: string) => c.members.find((m: any) => m.userId === userId)?.status;
const rowsOf = async (
  table: 'conversations' | 'conversation_members' | 'dm_messages',
  column: string,
  value: string,
) =>
  t.reef.engine.db.db
    .selectFrom(table)
    .selectAll()
    .where(column as never, '=', value as never)
    .execute();

test('open a 1:1: created once, the same conversation from either side, the recipient hears of it', async () => {
  const [a, b] = await registerUsers(t, 2);
  const sb = await connect(b!);
  const first = await open(a!, b!);
  assert.equal(first.status, 201);
  assert.equal(first.body.type, 'dm');
  assert.equal(first.body.status, 'accepted');
  assert.equal(memberStatus(first.body, b!.id), 'accepted');
  const created = await sb.waitFor('conversation:created', (c) => c.id === first.body.id);
  assert.equal(created.status, 'accepted', "the recipient's own view");
  assert.deepEqual(created.members.map((m: any) => m.username).sort(), [a!.username, b!.username].sort());

  const again = await open(a!, b!);
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.body.id);
  const fromB = await open(b!, a!);
  assert.equal(fromB.body.id, first.body.id);
  const listB = await t.api('GET', '/conversations', { token: b!.accessToken });
  assert.deepEqual(
    listB.body.map((c: any) => c.id),
    [first.body.id],
  );
});

test('both users opening their 1:1 at the same time get one conversation', async () => {
  const [a, b] = await registerUsers(t, 2);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) => (i % 2 ? open(a!, b!) : open(b!, a!))),
  );
  assert.ok(
    results.every((r) => r.status === 200 || r.status === 201),
    results.map((r) => r.text).join(),
  );
  assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
  assert.equal(results.filter((r) => r.status === 201).length, 1, 'exactly one creation');
  const pairs = await t.reef.engine.db.db
    .selectFrom('conversation_members')
    .select('conversation_id')
    .where('user_id', '=', a!.id)
    .execute();
  assert.equal(pairs.length, 1);
});

test('require_approval: a pending request the recipient sees as a request, with no messages until accepted', async () => {
  const [a, b] = await registerUsers(t, 2);
  await prefs(b!, {
    msgPrivacyAll: 'require_approval',
    msgPrivacyFollowed: 'require_approval',
    msgPrivacySpaces: 'require_approval',
    msgPrivacyGroupDm: 'require_approval',
  });
  const [sa, sb] = await Promise.all([connect(a!), connect(b!)]);
  const res = await open(a!, b!);
  assert.equal(res.status, 201);
  const id = res.body.id;
  assert.equal(memberStatus(res.body, b!.id), 'pending');
  // 1. b hears of the request, as a request
  const req = await sb.waitFor('conversation:created', (c) => c.id === id);
  assert.equal(req.status, 'pending');
  const note = await sb.waitFor('notification:new', (n) => n.type === 'dm_request');
  assert.equal(note.data.conversationId, id);
  assert.equal(note.data.fromUserId, a!.id);
  // 2. a writes; a's socket gets dm:new, b's does not
  const m1 = await send(a!, id, 'hello?');
  assert.equal(m1.status, 201);
  await sa.waitFor('dm:new', (m) => m.id === m1.body.id);
  await barrier(t, `user:${b!.id}`, [sb]);
  assert.equal(sb.named('dm:new').length, 0);
  // 3. requests, not conversations; b may read the request but not answer it
  assert.deepEqual((await t.api('GET', '/conversations', { token: b!.accessToken })).body, []);
  const requests = await t.api('GET', '/conversations/requests', { token: b!.accessToken });
  assert.deepEqual(
    requests.body.map((c: any) => [c.id, c.lastMessage?.content]),
    [[id, 'hello?']],
  );
  assert.equal((await send(b!, id, 'no')).status, 403);
  // 4. b accepts: a live conversation, b's sockets are in its room and get the next message
  const acc = await t.api('POST', `/conversations/${id}/accept`, { token: b!.accessToken });
  assert.equal(acc.status, 200);
  assert.equal(acc.body.status, 'accepted');
  await sa.waitFor('conversation:updated', (c) => c.id === id && memberStatus(c, b!.id) === 'accepted');
  assert.equal((await sb.call('dm:join', { conversationId: id })).ok, true);
  const m2 = await send(a!, id, 'thanks');
  const got = await sb.waitFor('dm:new', (m) => m.id === m2.body.id);
  assert.equal(got.content, 'thanks');
  assert.equal(sb.named('dm:new').length, 1, 'only what came after accepting');
  assert.deepEqual((await t.api('GET', '/conversations/requests', { token: b!.accessToken })).body, []);
});

test('decline: the request goes away for the recipient; the sender is not told', async () => {
  const [a, b] = await registerUsers(t, 2);
  await prefs(b!, {
    msgPrivacyAll: 'require_approval',
    msgPrivacyFollowed: 'require_approval',
    msgPrivacySpaces: 'require_approval',
    msgPrivacyGroupDm: 'require_approval',
  });
  const sa = await connect(a!);
  const id = (await open(a!, b!)).body.id;
  const dec = await t.api('POST', `/conversations/${id}/decline`, { token: b!.accessToken });
  assert.equal(dec.status, 200);
  assert.equal(dec.body.status, 'declined');
  assert.deepEqual((await t.api('GET', '/conversations/requests', { token: b!.accessToken })).body, []);
  await barrier(t, `user:${a!.id}`, [sa]);
  assert.equal(sa.named('conversation:updated').length, 0);
  assert.equal((await t.api('POST', `/conversations/${id}/decline`, { token: a!.accessToken })).status, 400);
});

test('privacy: dont_allow is 400 (nothing created); followed and shared-space policies take precedence in order', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  await prefs(b!, {
    msgPrivacyAll: 'dont_allow',
    msgPrivacyFollowed: 'dont_allow',
    msgPrivacySpaces: 'dont_allow',
    msgPrivacyGroupDm: 'dont_allow',
  });
  const refused = await open(a!, b!);
  assert.equal(refused.status, 400);
  assert.equal((await rowsOf('conversation_members', 'user_id', b!.id)).length, 0);

  // c: everyone may write, but people c follows need approval and people sharing a space are refused.
  await prefs(c!, {
    msgPrivacyAll: 'accept_all',
    msgPrivacyFollowed: 'require_approval',
    msgPrivacySpaces: 'dont_allow',
  });
  const accounts = t.reef.services.accounts;
  const saved = accounts.spaces;
  accounts.spaces = {
    ...saved,
    shareSpace: async (_db, x, y) => [x, y].sort().join() === [a!.id, c!.id].sort().join(),
  };
  try {
    assert.equal((await open(a!, c!)).status, 400, 'shares a space with c: msgPrivacySpaces');
    await t.reef.engine.db.db
      .insertInto('follows')
      .values({ follower_id: c!.id, followee_id: a!.id, status: 'accepted' })
      .execute();
    const viaFollow = await open(a!, c!);
    assert.equal(viaFollow.status, 201, 'c follows a: msgPrivacyFollowed wins over spaces');
    assert.equal(memberStatus(viaFollow.body, c!.id), 'pending');
  } finally {
    accounts.spaces = saved;
  }
});

test('blocks: 403 both ways, nothing reaches the other side; a block declines a pending request', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  const id = (await open(a!, b!)).body.id;
  const sb = await connect(b!);
  assert.equal((await t.api('PUT', `/users/blocks/${a!.id}`, { token: b!.accessToken })).status < 300, true);
  const blockedSend = await send(a!, id, 'are you there');
  assert.equal(blockedSend.status, 403);
  assert.equal((await open(a!, b!)).status, 403);
  assert.equal((await send(b!, id, 'bye')).status, 403, 'either side blocked');
  await barrier(t, `user:${b!.id}`, [sb]);
  assert.equal(
    sb.events.filter((e) => e.event.startsWith('dm:') || e.event.startsWith('conversation:')).length,
    0,
  );
  assert.equal((await rowsOf('dm_messages', 'conversation_id', id)).length, 0);

  await prefs(c!, {
    msgPrivacyAll: 'require_approval',
    msgPrivacyFollowed: 'require_approval',
    msgPrivacySpaces: 'require_approval',
    msgPrivacyGroupDm: 'require_approval',
  });
  const req = (await open(a!, c!)).body.id;
  assert.equal((await t.api('GET', '/conversations/requests', { token: c!.accessToken })).body.length, 1);
  await t.api('PUT', `/users/blocks/${a!.id}`, { token: c!.accessToken });
  assert.deepEqual((await t.api('GET', '/conversations/requests', { token: c!.accessToken })).body, []);
  // The actor hears of it after the block commits: c is declined there too (a later open by a stays blocked).
  await until(async () => {
    const s = await t.reef.engine.actors.read<any>({ kind: 'conversation', id: req });
    return s?.context.members[c!.id]?.status === 'declined';
  });
});

test('groups: per-participant msgPrivacyGroupDm, add members, rename, leave, no delete', async () => {
  const [a, b, c, d, e] = await registerUsers(t, 5);
  await prefs(c!, { msgPrivacyGroupDm: 'require_approval' });
  await prefs(e!, { msgPrivacyGroupDm: 'dont_allow' });
  const refused = await t.api('POST', '/conversations/groups', {
    token: a!.accessToken,
    body: { name: 'nope', participantIds: [b!.id, e!.id] },
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.data.userId, e!.id);
  assert.equal(
    (await t.api('POST', '/conversations/groups', { token: a!.accessToken, body: { participantIds: [] } }))
      .status,
    400,
  );

  const [sb, sc] = await Promise.all([connect(b!), connect(c!)]);
  const g = await t.api('POST', '/conversations/groups', {
    token: a!.accessToken,
    body: { name: 'crew', participantIds: [b!.id, c!.id] },
  });
  assert.equal(g.status, 201);
  const id = g.body.id;
  assert.equal(g.body.type, 'group');
  assert.equal(memberStatus(g.body, b!.id), 'accepted');
  assert.equal(memberStatus(g.body, c!.id), 'pending');
  assert.equal((await sc.waitFor('conversation:created', (x) => x.id === id)).status, 'pending');

  const added = await t.api('POST', `/conversations/${id}/members`, {
    token: b!.accessToken,
    body: { userIds: [d!.id] },
  });
  assert.equal(added.status, 200);
  assert.equal(memberStatus(added.body, d!.id), 'accepted');
  await sb.waitFor('conversation:updated', (x) => x.id === id && memberStatus(x, d!.id) === 'accepted');

  const renamed = await t.api('PATCH', `/conversations/${id}`, {
    token: a!.accessToken,
    body: { name: 'the crew' },
  });
  assert.equal(renamed.body.name, 'the crew');
  await sb.waitFor('conversation:updated', (x) => x.id === id && x.name === 'the crew');

  assert.equal(
    (await t.api('DELETE', `/conversations/${id}/members/me`, { token: d!.accessToken })).status,
    204,
  );
  const left = await sb.waitFor('conversation:member_left', (x) => x.conversationId === id);
  assert.deepEqual(left, { conversationId: id, userId: d!.id });
  assert.equal((await send(d!, id, 'still here?')).status, 403);
  assert.equal((await t.api('GET', `/conversations/${id}/messages`, { token: d!.accessToken })).status, 404);
  assert.equal((await t.api('DELETE', `/conversations/${id}`, { token: a!.accessToken })).status, 400);
});

test('groups: at most 9 participants, at most 10 members', async () => {
  const users = await registerUsers(t, 11);
  const [owner, ...rest] = users as [TestUser, ...TestUser[]];
  const tooMany = await t.api('POST', '/conversations/groups', {
    token: owner.accessToken,
    body: { participantIds: rest.map((u) => u.id) },
  });
  assert.equal(tooMany.status, 400);
  const g = await t.api('POST', '/conversations/groups', {
    token: owner.accessToken,
    body: { participantIds: rest.slice(0, 9).map((u) => u.id) },
  });
  assert.equal(g.status, 201);
  assert.equal(g.body.members.length, 10);
  const over = await t.api('POST', `/conversations/${g.body.id}/members`, {
    token: owner.accessToken,
    body: { userIds: [rest[9]!.id] },
  });
  assert.equal(over.status, 400);
});

test('delete a 1:1: messages, read tracking and membership are gone; opening again starts afresh', async () => {
  const [a, b] = await registerUsers(t, 2);
  const id = (await open(a!, b!)).body.id;
  await send(a!, id, 'one');
  await send(b!, id, 'two');
  await t.api('PUT', `/conversations/${id}/read`, { token: b!.accessToken });
  assert.equal((await t.api('DELETE', `/conversations/${id}`, { token: b!.accessToken })).status, 204);
  await until(async () => (await rowsOf('conversations', 'id', id)).length === 0);
  assert.equal((await rowsOf('dm_messages', 'conversation_id', id)).length, 0);
  assert.equal((await rowsOf('conversation_members', 'conversation_id', id)).length, 0);
  assert.equal((await t.api('GET', `/conversations/${id}/messages`, { token: a!.accessToken })).status, 404);
  const again = await open(a!, b!);
  assert.equal(again.status, 201);
  assert.notEqual(again.body.id, id);
});

test('a conversation of others is 404', async () => {
  const [a, b] = await registerUsers(t, 2);
  const x = await registerUser(t);
  const id = (await open(a!, b!)).body.id;
  assert.equal((await t.api('GET', `/conversations/${id}/messages`, { token: x.accessToken })).status, 404);
  assert.equal((await send(x, id, 'hi')).status, 404);
  assert.equal((await t.api('POST', `/conversations/${id}/accept`, { token: x.accessToken })).status, 404);
  assert.equal((await t.api('POST', `/conversations/with/${a!.id}`, { token: a!.accessToken })).status, 400);
  assert.equal((await t.api('POST', `/conversations/with/123`, { token: a!.accessToken })).status, 404);
});
