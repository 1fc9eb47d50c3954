import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUser } from '../helpers/users.ts';
import { addMember, createSpace, expectStatus, invite } from './helpers.ts';
import { until } from '../realtime-clients.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('create a space: owner is a member, general and admin channels, slug shares the username namespace', async () => {
  const owner = await registerUser(t);
  const slug = uniq('Sl');
  const created = await expectStatus(
    t.api('POST', '/spaces', {
      token: owner.accessToken,
      body: { name: 'Hikers', slug, description: 'we walk' },
    }),
    201,
  );
  assert.equal(created.slug, slug);
  assert.equal(created.ownerId, owner.id);
  assert.equal(created.memberCount, 1);
  const mine = await expectStatus(t.api('GET', '/spaces', { token: owner.accessToken }), 200);
  assert.deepEqual(
    mine.map((s: any) => s.id),
    [created.id],
  );
  const channels = await expectStatus(
    t.api('GET', `/spaces/${created.id}/channels`, { token: owner.accessToken }),
    200,
  );
  assert.deepEqual(
    channels.map((c: any) => [c.name, c.isPrivate, c.isAdminChannel]),
    [
      ['general', false, false],
      ['admin', true, true],
    ],
  );
  // 1. the same slug in another case, 2. a username, 3. a space slug as a username: all 409.
  const other = await registerUser(t);
  await expectStatus(
    t.api('POST', '/spaces', { token: other.accessToken, body: { name: 'x', slug: slug.toUpperCase() } }),
    409,
  );
  await expectStatus(
    t.api('POST', '/spaces', {
      token: other.accessToken,
      body: { name: 'x', slug: owner.username.toUpperCase() },
    }),
    409,
  );
  const r = await t.api('POST', '/auth/register', {
    body: {
      email: `${uniq()}@example.test`,
      username: slug.toLowerCase(),
      displayName: 'x',
      password: 'correct horse battery',
    },
  });
  assert.equal(r.status, 409);
});

test('members: invite join, listing with roles, leave; the owner cannot leave', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const members = await expectStatus(
    t.api('GET', `/spaces/${space.id}/members`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(members.map((m: any) => m.userId).sort(), [space.owner.id, bob.id].sort());
  const bobRow = members.find((m: any) => m.userId === bob.id);
  assert.deepEqual(bobRow.roles, [space.defaultRoleId]);
  assert.equal(bobRow.user.username, bob.username);
  const s = await expectStatus(t.api('GET', `/spaces/${space.id}`, { token: bob.accessToken }), 200);
  assert.equal(s.memberCount, 2);
  await expectStatus(t.api('POST', `/spaces/${space.id}/leave`, { token: bob.accessToken }), 200);
  await expectStatus(t.api('GET', `/spaces/${space.id}`, { token: bob.accessToken }), 403);
  await expectStatus(t.api('POST', `/spaces/${space.id}/leave`, { token: space.owner.accessToken }), 400);
  const after = await expectStatus(
    t.api('GET', `/spaces/${space.id}`, { token: space.owner.accessToken }),
    200,
  );
  assert.equal(after.memberCount, 1);
});

test('invite: max uses enforced under 50 concurrent joins on a 10-use invite', async () => {
  const space = await createSpace(t);
  const code = await invite(t, space, { maxUses: 10 });
  const users = await Promise.all(Array.from({ length: 50 }, () => registerUser(t)));
  const results = await Promise.all(
    users.map((u) => t.api('POST', '/spaces/join', { token: u.accessToken, body: { code } })),
  );
  const ok = results.filter((r) => r.status === 200).length;
  assert.equal(ok, 10);
  assert.ok(
    results.every((r) => r.status === 200 || r.status === 400),
    JSON.stringify(results.map((r) => r.status)),
  );
  const rows = await t.reef.engine.db.db
    .selectFrom('space_members')
    .select('user_id')
    .where('space_id', '=', space.id)
    .execute();
  assert.equal(rows.length, 11);
  const invites = await expectStatus(
    t.api('GET', `/spaces/${space.id}/invites`, { token: space.owner.accessToken }),
    200,
  );
  assert.equal(invites.find((i: any) => i.code === code).uses, 10);
});

test('account deletion: a member leaves every space; an owner takes its spaces (and frees their slugs)', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  await expectStatus(
    t.api('DELETE', '/users/me', { token: bob.accessToken, body: { password: bob.password } }),
    200,
  );
  const s = await expectStatus(t.api('GET', `/spaces/${space.id}`, { token: space.owner.accessToken }), 200);
  assert.equal(s.memberCount, 1);
  const members = await expectStatus(
    t.api('GET', `/spaces/${space.id}/members`, { token: space.owner.accessToken }),
    200,
  );
  assert.deepEqual(
    members.map((m: any) => m.userId),
    [space.owner.id],
  );
  // The actor forgot bob: its member list (through a role change) no longer knows him.
  await until(
    async () =>
      (
        await t.api('PUT', `/spaces/${space.id}/members/${bob.id}/roles`, {
          token: space.owner.accessToken,
          body: { roleIds: [] },
        })
      ).status === 404,
  );
  // The owner goes: the space and its slug with them.
  const carol = await registerUser(t);
  await expectStatus(
    t.api('DELETE', '/users/me', {
      token: space.owner.accessToken,
      body: { password: space.owner.password },
    }),
    200,
  );
  await expectStatus(
    t.api('POST', '/spaces', { token: carol.accessToken, body: { name: 'reuse', slug: space.slug } }),
    201,
  );
});
