/**
 * Spaces for tests: a space created through the API by its owner, members joined through an invite,
 * and shortcuts for roles and channels. Every helper asserts the status it expects, so a test reads as
 * its rule and fails where the setup broke.
 */
import assert from 'node:assert/strict';
import { uniq, type TestContext } from '../context.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

export interface TestSpace {
  id: string;
  slug: string;
  owner: TestUser;
  generalId: string;
  adminChannelId: string;
  defaultRoleId: string;
}

export async function expectStatus<T = any>(
  p: Promise<{ status: number; body: T; text: string }>,
  status: number,
): Promise<T> {
  const res = await p;
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  return res.body;
}

export async function createSpace(
  t: TestContext,
  owner?: TestUser,
  extra: Record<string, unknown> = {},
): Promise<TestSpace> {
  const o = owner ?? (await registerUser(t));
  const slug = uniq('s');
  const space = await expectStatus(
    t.api('POST', '/spaces', { token: o.accessToken, body: { name: `Space ${slug}`, slug, ...extra } }),
    201,
  );
  const channels = await expectStatus(
    t.api('GET', `/spaces/${space.id}/channels`, { token: o.accessToken }),
    200,
  );
  const roles = await expectStatus(t.api('GET', `/spaces/${space.id}/roles`, { token: o.accessToken }), 200);
  return {
    id: space.id,
    slug,
    owner: o,
    generalId: channels.find((c: any) => c.name === 'general').id,
    adminChannelId: channels.find((c: any) => c.isAdminChannel).id,
    defaultRoleId: roles.find((r: any) => r.isDefault).id,
  };
}

export async function invite(
  t: TestContext,
  space: TestSpace,
  body: Record<string, unknown> = {},
): Promise<string> {
  const inv = await expectStatus(
    t.api('POST', `/spaces/${space.id}/invites`, { token: space.owner.accessToken, body }),
    201,
  );
  return inv.code;
}

/** A new user who joined the space through an invite. */
export async function addMember(t: TestContext, space: TestSpace, user?: TestUser): Promise<TestUser> {
  const u = user ?? (await registerUser(t));
  const code = await invite(t, space);
  await expectStatus(t.api('POST', '/spaces/join', { token: u.accessToken, body: { code } }), 200);
  return u;
}

export async function createRole(
  t: TestContext,
  space: TestSpace,
  permissions: bigint,
  name = uniq('role'),
): Promise<string> {
  const role = await expectStatus(
    t.api('POST', `/spaces/${space.id}/roles`, {
      token: space.owner.accessToken,
      body: { name, permissions: permissions.toString() },
    }),
    201,
  );
  return role.id;
}

export async function grantRoles(
  t: TestContext,
  space: TestSpace,
  user: TestUser,
  roleIds: string[],
): Promise<void> {
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/members/${user.id}/roles`, {
      token: space.owner.accessToken,
      body: { roleIds },
    }),
    200,
  );
}

export async function createChannel(
  t: TestContext,
  space: TestSpace,
  body: Record<string, unknown> = {},
  token = space.owner.accessToken,
): Promise<any> {
  return expectStatus(
    t.api('POST', `/spaces/${space.id}/channels`, { token, body: { name: uniq('c'), ...body } }),
    201,
  );
}

export async function send(
  t: TestContext,
  user: TestUser,
  channelId: string,
  content: string,
  extra: Record<string, unknown> = {},
): Promise<any> {
  return expectStatus(
    t.api('POST', `/channels/${channelId}/messages`, {
      token: user.accessToken,
      body: { content, ...extra },
    }),
    201,
  );
}
