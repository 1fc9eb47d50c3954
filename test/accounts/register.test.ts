import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUser } from '../helpers/users.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { RATE_LIMIT_AUTH: '1000/60' } });
});
after(() => t.close());

test('register returns tokens and the user; /users/me sees the same user', async () => {
  const username = uniq('Reg');
  const email = `${username}@Example.test`;
  const res = await t.api('POST', '/auth/register', {
    body: { email, username, displayName: 'Reg User', password: 'password123' },
  });
  assert.equal(res.status, 201);
  assert.ok(res.body.accessToken);
  assert.ok(res.body.refreshToken);
  assert.equal(res.body.user.username, username);
  assert.equal(res.body.user.email, email);
  assert.equal(res.body.user.displayName, 'Reg User');
  assert.equal(res.body.user.emailVerified, false);
  assert.equal(res.body.user.totpEnabled, false);
  assert.equal(res.body.user.isAdmin, false);
  assert.match(res.body.user.id, /^\d+$/);
  assert.ok(!Number.isNaN(Date.parse(res.body.user.createdAt)));

  const meRes = await t.api('GET', '/users/me', { token: res.body.accessToken });
  assert.equal(meRes.status, 200);
  assert.deepEqual(meRes.body, res.body.user);

  // The verification email carries a token and a link under PUBLIC_URL.
  const mail = await t.mailer.waitFor(email, (e) => e.meta?.kind === 'verify');
  assert.ok(mail.meta?.token);
  assert.ok(mail.text.includes(`${t.config.PUBLIC_URL}/verify-email?token=`));
});

test('login by username or email, case-insensitively', async () => {
  const u = await registerUser(t);
  for (const login of [u.username, u.username.toUpperCase(), u.email.toUpperCase()]) {
    const res = await t.api('POST', '/auth/login', { body: { login, password: u.password } });
    assert.equal(res.status, 200, login);
    assert.equal(res.body.user.id, u.id);
    const meRes = await t.api('GET', '/users/me', { token: res.body.accessToken });
    assert.equal(meRes.body.username, u.username);
  }
  const bad = await t.api('POST', '/auth/login', { body: { login: u.username, password: 'wrong-password' } });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error.code, 'UNAUTHORIZED');
  assert.equal(bad.body.accessToken, undefined);
});
