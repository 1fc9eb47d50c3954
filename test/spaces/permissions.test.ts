import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUser } from '../helpers/users.ts';
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

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

const channelIds = async (token: string, spaceId: string) =>
  (await expectStatus(t.api('GET', `/spaces/${spaceId}/channels`, { token }), 200)).map((c: any) => c.id);

test('a private channel: invisible to a plain member, visible to direct members and after a role VIEW override', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  const priv = await createChannel(t, space, { isPrivate: true, memberIds: [carol.id] });
  assert.equal(priv.isPrivate, true);
  assert.ok(!(await channelIds(bob.accessToken, space.id)).includes(priv.id));
  assert.ok((await channelIds(carol.accessToken, space.id)).includes(priv.id), 'direct member');
  assert.ok((await channelIds(space.owner.accessToken, space.id)).includes(priv.id), 'owner');
  await expectStatus(t.api('GET', `/channels/${priv.id}/messages`, { token: bob.accessToken }), 403);
  await expectStatus(
    t.api('POST', `/channels/${priv.id}/messages`, { token: bob.accessToken, body: { content: 'x' } }),
    403,
  );
  const m = await send(t, carol, priv.id, 'members only');
  // A role with a VIEW_CHANNELS allow override opens it to bob.
  const insiders = await createRole(t, space, 0n);
  await grantRoles(t, space, bob, [insiders]);
  assert.ok(
    !(await channelIds(bob.accessToken, space.id)).includes(priv.id),
    'the role alone grants nothing here',
  );
  const ov = await expectStatus(
    t.api('PUT', `/spaces/${space.id}/channels/${priv.id}/overrides/${insiders}`, {
      token: space.owner.accessToken,
      body: { allow: Permission.VIEW_CHANNELS.toString(), deny: '0' },
    }),
    200,
  );
  assert.deepEqual(ov, { channelId: priv.id, roleId: insiders, allow: '1', deny: '0' });
  assert.ok((await channelIds(bob.accessToken, space.id)).includes(priv.id));
  const seen = await expectStatus(
    t.api('GET', `/channels/${priv.id}/messages`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(
    seen.map((x: any) => x.id),
    [m.id],
  );
  // Roles listed in roleOverrides at creation get VIEW | SEND | ATTACH | ADD_REACTIONS.
  const second = await createChannel(t, space, { isPrivate: true, roleOverrides: [insiders] });
  const overrides = await expectStatus(
    t.api('GET', `/spaces/${space.id}/channels/${second.id}/overrides`, { token: space.owner.accessToken }),
    200,
  );
  assert.deepEqual(overrides, [
    { channelId: second.id, roleId: insiders, allow: String(1 + 2 + 512 + 1024), deny: '0' },
  ]);
  await send(t, bob, second.id, 'via role override');
  // Removing the override hides it again; toggling isPrivate off opens it to everyone.
  await expectStatus(
    t.api('DELETE', `/spaces/${space.id}/channels/${priv.id}/overrides/${insiders}`, {
      token: space.owner.accessToken,
    }),
    204,
  );
  assert.ok(!(await channelIds(bob.accessToken, space.id)).includes(priv.id));
  await expectStatus(
    t.api('PATCH', `/spaces/${space.id}/channels/${priv.id}`, {
      token: space.owner.accessToken,
      body: { isPrivate: false },
    }),
    200,
  );
  assert.ok((await channelIds(bob.accessToken, space.id)).includes(priv.id));
});

test('every endpoint checks the permission the spec names', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const victim = await addMember(t, space);
  const tok = bob.accessToken;
  const S = `/spaces/${space.id}`;
  const denied: Array<[string, string, unknown?]> = [
    ['POST', `${S}/channels`, { name: 'nope' }],
    ['PATCH', `${S}/channels/${space.generalId}`, { topic: 'x' }],
    ['DELETE', `${S}/channels/${space.generalId}`],
    ['GET', `${S}/channels/${space.generalId}/overrides`],
    ['PUT', `${S}/channels/reorder`, { channels: [] }],
    ['POST', `${S}/roles`, { name: 'r' }],
    ['PUT', `${S}/members/${victim.id}/roles`, { roleIds: [] }],
    ['DELETE', `${S}/members/${victim.id}`],
    ['POST', `${S}/bans/${victim.id}`, {}],
    ['GET', `${S}/bans`],
    ['PATCH', S, { name: 'x' }],
    ['GET', `${S}/admin-settings`],
    ['PUT', `${S}/tags`, { tags: ['a'] }],
    ['GET', `${S}/invites`],
    ['GET', `${S}/members/${victim.id}/roles`],
    ['POST', `${S}/categories`, { name: 'c' }],
    ['GET', `${S}/reports`],
    ['DELETE', S],
  ];
  for (const [method, path, body] of denied) {
    const res = await t.api(method, path, { token: tok, ...(body !== undefined ? { body } : {}) });
    assert.equal(res.status, 403, `${method} ${path}: ${res.status} ${res.text}`);
  }
  // Default role: VIEW_CHANNELS, SEND_MESSAGES, ATTACH_FILES, ADD_REACTIONS, CREATE_THREADS; invites need CREATE_INVITES.
  await expectStatus(t.api('POST', `${S}/invites`, { token: tok, body: {} }), 403);
  await expectStatus(t.api('GET', `${S}/roles`, { token: tok }), 200);
  // A role with the bit opens exactly that door.
  const inviter = await createRole(t, space, Permission.CREATE_INVITES | Permission.VIEW_ROLES);
  await grantRoles(t, space, bob, [inviter]);
  await expectStatus(t.api('POST', `${S}/invites`, { token: tok, body: {} }), 201);
  const held = await expectStatus(t.api('GET', `${S}/members/${bob.id}/roles`, { token: tok }), 200);
  assert.deepEqual(held.map((r: any) => r.id).sort(), [space.defaultRoleId, inviter].sort());
  assert.equal(
    held.find((r: any) => r.id === inviter).permissions,
    String(Permission.CREATE_INVITES | Permission.VIEW_ROLES),
  );
  await expectStatus(t.api('GET', `${S}/invites`, { token: tok }), 403);
  // No escalation: a MANAGE_ROLES holder cannot mint MANAGE_SPACE.
  const roleManager = await createRole(t, space, Permission.MANAGE_ROLES);
  await grantRoles(t, space, bob, [roleManager]);
  await expectStatus(
    t.api('POST', `${S}/roles`, {
      token: tok,
      body: { name: 'x', permissions: Permission.MANAGE_SPACE.toString() },
    }),
    403,
  );
  const ok = await expectStatus(
    t.api('POST', `${S}/roles`, {
      token: tok,
      body: { name: 'ok', permissions: Permission.MANAGE_ROLES.toString() },
    }),
    201,
  );
  assert.equal(ok.permissions, String(Permission.MANAGE_ROLES));
  // A stranger (not a member) is refused everywhere inside a private space.
  const stranger = await registerUser(t);
  await expectStatus(t.api('GET', S, { token: stranger.accessToken }), 403);
  await expectStatus(t.api('GET', `${S}/channels`, { token: stranger.accessToken }), 403);
  await expectStatus(
    t.api('GET', `/channels/${space.generalId}/messages`, { token: stranger.accessToken }),
    403,
  );
});

test('roles CRUD: permissions as decimal strings; the owner bypasses channel denies', async () => {
  const space = await createSpace(t);
  const role = await expectStatus(
    t.api('POST', `/spaces/${space.id}/roles`, {
      token: space.owner.accessToken,
      body: { name: 'Mods', color: '#ff0000', permissions: '36' },
    }),
    201,
  );
  assert.deepEqual(
    { name: role.name, color: role.color, permissions: role.permissions, isDefault: role.isDefault },
    { name: 'Mods', color: '#ff0000', permissions: '36', isDefault: false },
  );
  const upd = await expectStatus(
    t.api('PATCH', `/spaces/${space.id}/roles/${role.id}`, {
      token: space.owner.accessToken,
      body: { name: 'Moderators', permissions: 4 },
    }),
    200,
  );
  assert.equal(upd.name, 'Moderators');
  assert.equal(upd.permissions, '4');
  await expectStatus(
    t.api('DELETE', `/spaces/${space.id}/roles/${space.defaultRoleId}`, { token: space.owner.accessToken }),
    400,
  );
  await expectStatus(
    t.api('DELETE', `/spaces/${space.id}/roles/${role.id}`, { token: space.owner.accessToken }),
    204,
  );
  const roles = await expectStatus(
    t.api('GET', `/spaces/${space.id}/roles`, { token: space.owner.accessToken }),
    200,
  );
  assert.deepEqual(
    roles.map((r: any) => r.id),
    [space.defaultRoleId],
  );
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/channels/${space.generalId}/overrides/${space.defaultRoleId}`, {
      token: space.owner.accessToken,
      body: { allow: '0', deny: String(Permission.SEND_MESSAGES | Permission.VIEW_CHANNELS) },
    }),
    200,
  );
  await send(t, space.owner, space.generalId, 'owner still talks');
});
