import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerAdmin, registerUser } from '../helpers/users.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { RATE_LIMIT_AUTH: '1000/60' } });
});
after(() => t.close());

test('admin bans: ban, list, 409 when already banned, unban', async () => {
  const admin = await registerAdmin(t);
  const u = await registerUser(t);
  const ban = await t.api('POST', `/admin/bans/${u.id}`, {
    token: admin.accessToken,
    body: { reason: 'spam' },
  });
  assert.equal(ban.status, 201, JSON.stringify(ban.body));
  assert.equal(ban.body.userId, u.id);
  assert.equal(ban.body.bannedBy, admin.id);
  assert.equal(ban.body.reason, 'spam');
  assert.ok(!Number.isNaN(Date.parse(ban.body.createdAt)));
  assert.deepEqual(ban.body.user, {
    id: u.id,
    username: u.username,
    displayName: u.user.displayName,
    email: u.email,
  });

  const twice = await t.api('POST', `/admin/bans/${u.id}`, { token: admin.accessToken });
  assert.equal(twice.status, 409);
  assert.equal(twice.body.error.code, 'CONFLICT');

  const list = await t.api('GET', '/admin/bans', { token: admin.accessToken });
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.find((b: { userId: string }) => b.userId === u.id),
    ban.body,
  );

  const unban = await t.api('DELETE', `/admin/bans/${u.id}`, { token: admin.accessToken });
  assert.equal(unban.status, 204);
  assert.equal(
    (await t.api('GET', '/admin/bans', { token: admin.accessToken })).body.some(
      (b: { userId: string }) => b.userId === u.id,
    ),
    false,
  );
  assert.equal((await t.api('DELETE', `/admin/bans/${u.id}`, { token: admin.accessToken })).status, 404);
  // After the unban the user can log in again.
  const login = await t.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
  assert.equal(login.status, 200);
  assert.equal((await t.api('GET', '/users/me', { token: login.body.accessToken })).status, 200);
});

test('a banned user gets 403 "Your account has been suspended" everywhere, login included', async () => {
  const admin = await registerAdmin(t);
  const u = await registerUser(t);
  assert.equal((await t.api('GET', '/users/me', { token: u.accessToken })).status, 200);
  assert.equal(
    (await t.api('POST', `/admin/bans/${u.id}`, { token: admin.accessToken, body: {} })).status,
    201,
  );

  for (const [method, path, body] of [
    ['GET', '/users/me', undefined],
    ['PATCH', '/users/me', { bio: 'still here' }],
    ['GET', '/users/preferences', undefined],
    ['GET', `/users/${admin.id}`, undefined],
    ['POST', '/mfa/totp/setup', undefined],
    ['PUT', `/users/blocks/${admin.id}`, undefined],
  ] as const) {
    const res = await t.api(method, path, { token: u.accessToken, ...(body ? { body } : {}) });
    assert.equal(res.status, 403, `${method} ${path}`);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    assert.equal(res.body.error.message, 'Your account has been suspended');
  }
  const login = await t.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
  assert.equal(login.status, 403);
  assert.equal(login.body.error.message, 'Your account has been suspended');
  // A wrong password does not reveal the ban.
  const wrong = await t.api('POST', '/auth/login', {
    body: { login: u.username, password: 'wrong-password' },
  });
  assert.equal(wrong.status, 401);
  // The ban ended every session: the refresh token is dead even after an unban.
  assert.equal(
    (await t.api('POST', '/auth/refresh', { body: { refreshToken: u.refreshToken } })).status,
    401,
  );
  // Nothing was written by the refused requests.
  const row = await t.reef.engine.db.db
    .selectFrom('users')
    .select('bio')
    .where('id', '=', u.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.bio, null);
});

test('admin endpoints require isAdmin; bad targets are refused', async () => {
  const admin = await registerAdmin(t);
  const u = await registerUser(t);
  const v = await registerUser(t);
  assert.equal((await t.api('GET', '/admin/bans', { token: u.accessToken })).status, 403);
  const notAdmin = await t.api('POST', `/admin/bans/${v.id}`, { token: u.accessToken, body: {} });
  assert.equal(notAdmin.status, 403);
  assert.equal(notAdmin.body.error.code, 'FORBIDDEN');
  assert.equal((await t.api('GET', '/users/me', { token: v.accessToken })).status, 200);
  assert.equal((await t.api('DELETE', `/admin/bans/${v.id}`, { token: u.accessToken })).status, 403);
  assert.equal((await t.api('GET', '/admin/bans')).status, 401);

  assert.equal(
    (await t.api('POST', `/admin/bans/${admin.id}`, { token: admin.accessToken, body: {} })).status,
    400,
  );
  assert.equal(
    (await t.api('POST', '/admin/bans/1234567', { token: admin.accessToken, body: {} })).status,
    404,
  );
  assert.equal((await t.api('POST', '/admin/bans/abc', { token: admin.accessToken, body: {} })).status, 400);
  const longReason = await t.api('POST', `/admin/bans/${v.id}`, {
    token: admin.accessToken,
    body: { reason: 'r'.repeat(501) },
  });
  assert.equal(longReason.status, 400);
  assert.equal((await t.api('GET', '/users/me', { token: v.accessToken })).status, 200);
});
