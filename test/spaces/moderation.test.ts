import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerAdmin, registerUser } from '../helpers/users.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { addMember, createRole, createSpace, expectStatus, grantRoles, invite, send } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

const adminLog = async (token: string, channelId: string) =>
  (await expectStatus(t.api('GET', `/channels/${channelId}/messages`, { token }), 200)).map((m: any) => [
    m.type,
    m.content,
  ]);

test('ban: removes the member, logs to the admin channel, blocks rejoining by invite and public join; 403 owner, 409 twice', async () => {
  const space = await createSpace(t);
  const mod = await addMember(t, space);
  const bob = await addMember(t, space);
  const role = await createRole(t, space, Permission.MANAGE_MEMBERS);
  await grantRoles(t, space, mod, [role]);
  const res = await expectStatus(
    t.api('POST', `/spaces/${space.id}/bans/${bob.id}`, { token: mod.accessToken, body: { reason: 'spam' } }),
    201,
  );
  assert.deepEqual(res, { success: true });
  const members = await expectStatus(
    t.api('GET', `/spaces/${space.id}/members`, { token: mod.accessToken }),
    200,
  );
  assert.ok(!members.some((m: any) => m.userId === bob.id));
  // The system message, visible in the admin channel to admins and MANAGE_MEMBERS holders only.
  assert.deepEqual(await adminLog(space.owner.accessToken, space.adminChannelId), [
    ['system', `@${bob.username} was banned by @${mod.username}: spam`],
  ]);
  assert.equal((await adminLog(mod.accessToken, space.adminChannelId)).length, 1);
  const plain = await addMember(t, space);
  await expectStatus(
    t.api('GET', `/channels/${space.adminChannelId}/messages`, { token: plain.accessToken }),
    403,
  );
  const bans = await expectStatus(t.api('GET', `/spaces/${space.id}/bans`, { token: mod.accessToken }), 200);
  assert.equal(bans.length, 1);
  assert.deepEqual(
    {
      userId: bans[0].userId,
      bannedBy: bans[0].bannedBy,
      reason: bans[0].reason,
      username: bans[0].user.username,
    },
    { userId: bob.id, bannedBy: mod.id, reason: 'spam', username: bob.username },
  );
  // No way back in.
  const code = await invite(t, space);
  await expectStatus(t.api('POST', '/spaces/join', { token: bob.accessToken, body: { code } }), 403);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { isPublic: true },
    }),
    200,
  );
  await expectStatus(t.api('POST', `/spaces/${space.id}/join-public`, { token: bob.accessToken }), 403);
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/bans/${bob.id}`, { token: mod.accessToken, body: {} }),
    409,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/bans/${space.owner.id}`, { token: mod.accessToken, body: {} }),
    403,
  );
  // Unban: the invite works again.
  await expectStatus(t.api('DELETE', `/spaces/${space.id}/bans/${bob.id}`, { token: mod.accessToken }), 204);
  await expectStatus(t.api('POST', '/spaces/join', { token: bob.accessToken, body: { code } }), 200);
  // A banned non-member can be banned too (pre-emptive ban).
  const stranger = await registerUser(t);
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/bans/${stranger.id}`, { token: space.owner.accessToken, body: {} }),
    201,
  );
  await expectStatus(t.api('POST', `/spaces/${space.id}/join-public`, { token: stranger.accessToken }), 403);
});

test('public join only into public spaces; expired invites refused; kick removes; owner cannot be kicked', async () => {
  const space = await createSpace(t);
  const u = await registerUser(t);
  await expectStatus(t.api('POST', `/spaces/${space.id}/join-public`, { token: u.accessToken }), 403);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { isPublic: true },
    }),
    200,
  );
  const joined = await expectStatus(
    t.api('POST', `/spaces/${space.id}/join-public`, { token: u.accessToken }),
    200,
  );
  assert.equal(joined.memberCount, 2);
  const code = await invite(t, space, { expiresInHours: 0.001 });
  await new Promise((r) => setTimeout(r, 3700));
  const late = await registerUser(t);
  const r = await t.api('POST', '/spaces/join', { token: late.accessToken, body: { code } });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'INVITE_INVALID');
  const mod = await addMember(t, space);
  await grantRoles(t, space, mod, [await createRole(t, space, Permission.MANAGE_MEMBERS)]);
  await expectStatus(
    t.api('DELETE', `/spaces/${space.id}/members/${space.owner.id}`, { token: mod.accessToken }),
    403,
  );
  await expectStatus(t.api('DELETE', `/spaces/${space.id}/members/${u.id}`, { token: mod.accessToken }), 204);
  const mine = await expectStatus(t.api('GET', '/spaces', { token: u.accessToken }), 200);
  assert.deepEqual(mine, []);
});

test('reports: duplicate active refused, system message to the admin channel, status moves once', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  const m = await send(t, bob, space.generalId, 'rude words');
  const body = {
    reportedUserId: bob.id,
    spaceId: space.id,
    channelId: space.generalId,
    messageId: m.id,
    reason: 'rude',
  };
  const rep = await expectStatus(t.api('POST', '/reports', { token: carol.accessToken, body }), 201);
  assert.equal(rep.status, 'pending');
  assert.equal(rep.contentType, null);
  await expectStatus(t.api('POST', '/reports', { token: carol.accessToken, body }), 409);
  await expectStatus(
    t.api('POST', '/reports', { token: carol.accessToken, body: { reportedUserId: carol.id, reason: 'me' } }),
    400,
  );
  const forum = await expectStatus(
    t.api('POST', '/reports', {
      token: carol.accessToken,
      body: { reportedUserId: bob.id, forumPostId: m.id, reason: 'x' },
    }),
    201,
  );
  assert.equal(forum.contentType, 'forum_post');
  const log = await adminLog(space.owner.accessToken, space.adminChannelId);
  assert.equal(log.length, 1);
  assert.equal(log[0][0], 'system');
  assert.match(log[0][1], new RegExp(`@${carol.username} reported @${bob.username}.*rude`));
  await expectStatus(t.api('GET', `/spaces/${space.id}/reports`, { token: carol.accessToken }), 403);
  const listed = await expectStatus(
    t.api('GET', `/spaces/${space.id}/reports?status=pending`, { token: space.owner.accessToken }),
    200,
  );
  assert.deepEqual(
    listed.map((x: any) => [x.id, x.messagePreview]),
    [[rep.id, 'rude words']],
  );
  const done = await expectStatus(
    t.api('PATCH', `/spaces/${space.id}/reports/${rep.id}`, {
      token: space.owner.accessToken,
      body: { status: 'resolved' },
    }),
    200,
  );
  assert.equal(done.status, 'resolved');
  assert.equal(done.resolvedBy, space.owner.id);
  await expectStatus(
    t.api('PATCH', `/spaces/${space.id}/reports/${rep.id}`, {
      token: space.owner.accessToken,
      body: { status: 'dismissed' },
    }),
    409,
  );
  // Resolved: a new report about the same message is allowed again.
  await expectStatus(t.api('POST', '/reports', { token: carol.accessToken, body }), 201);
  // Global admin views.
  await expectStatus(t.api('GET', '/reports', { token: carol.accessToken }), 403);
  const admin = await registerAdmin(t);
  const all = await expectStatus(t.api('GET', `/reports?status=resolved`, { token: admin.accessToken }), 200);
  assert.ok(all.some((x: any) => x.id === rep.id));
  const dismissed = await expectStatus(
    t.api('PATCH', `/reports/${forum.id}`, { token: admin.accessToken, body: { status: 'dismissed' } }),
    200,
  );
  assert.equal(dismissed.status, 'dismissed');
});

test('delete space: owner only; the slug is free again', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  await expectStatus(t.api('DELETE', `/spaces/${space.id}`, { token: bob.accessToken }), 403);
  await expectStatus(t.api('DELETE', `/spaces/${space.id}`, { token: space.owner.accessToken }), 204);
  await expectStatus(t.api('GET', `/spaces/${space.id}`, { token: space.owner.accessToken }), 404);
  assert.deepEqual(await expectStatus(t.api('GET', '/spaces', { token: bob.accessToken }), 200), []);
  await expectStatus(
    t.api('POST', '/spaces', { token: bob.accessToken, body: { name: 'again', slug: space.slug } }),
    201,
  );
});
