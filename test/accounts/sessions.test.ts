import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../engine/clock.ts';
import { TestContext, uniq } from '../context.ts';
import { registerUser } from '../helpers/users.ts';

// A hand-moved clock: token lifetimes are checked against the engine clock.
const clock = new ManualClock(Date.now());
let t: TestContext;
before(async () => {
  t = await TestContext.start({ clock, env: { RATE_LIMIT_AUTH: '1000/60' } });
});
after(() => t.close());

const refresh = (refreshToken: string) => t.api('POST', '/auth/refresh', { body: { refreshToken } });

test('refresh rotates: a new pair each time, the used token stops working', async () => {
  const u = await registerUser(t);
  const r1 = await refresh(u.refreshToken);
  assert.equal(r1.status, 200);
  assert.ok(r1.body.accessToken && r1.body.refreshToken);
  assert.notEqual(r1.body.refreshToken, u.refreshToken);
  assert.equal((await t.api('GET', '/users/me', { token: r1.body.accessToken })).body.id, u.id);

  const r2 = await refresh(r1.body.refreshToken);
  assert.equal(r2.status, 200);
  assert.notEqual(r2.body.refreshToken, r1.body.refreshToken);
});

test('reusing a rotated token revokes the whole family, even its newest token', async () => {
  const u = await registerUser(t);
  const r1 = await refresh(u.refreshToken); // 1. rotate: u.refreshToken is now retired
  assert.equal(r1.status, 200);
  const reuse = await refresh(u.refreshToken); // 2. the retired token comes back: theft assumed
  assert.equal(reuse.status, 401);
  assert.equal(reuse.body.error.code, 'UNAUTHORIZED');
  const newest = await refresh(r1.body.refreshToken); // 3. the newest of the family is dead too
  assert.equal(newest.status, 401);

  // Another login of the same user (another family) is untouched.
  const other = await t.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
  assert.equal((await refresh(other.body.refreshToken)).status, 200);
});

test('concurrent refreshes of one token: at most one succeeds', async () => {
  const u = await registerUser(t);
  const results = await Promise.all([refresh(u.refreshToken), refresh(u.refreshToken)]);
  assert.equal(results.filter((r) => r.status === 200).length <= 1, true);
  assert.ok(results.some((r) => r.status === 401));
});

test('logout revokes the refresh token; unknown tokens are fine', async () => {
  const u = await registerUser(t);
  const res = await t.api('POST', '/auth/logout', { body: { refreshToken: u.refreshToken } });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { success: true });
  assert.equal((await refresh(u.refreshToken)).status, 401);
  const unknown = await t.api('POST', '/auth/logout', { body: { refreshToken: 'nope' } });
  assert.equal(unknown.status, 200);
});

test('an expired access token is 401; the refresh token still renews the session', async () => {
  const u = await registerUser(t);
  assert.equal((await t.api('GET', '/users/me', { token: u.accessToken })).status, 200);
  clock.advance((t.config.ACCESS_TOKEN_TTL_S + 1) * 1000);
  const expired = await t.api('GET', '/users/me', { token: u.accessToken });
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error.code, 'UNAUTHORIZED');
  const r = await refresh(u.refreshToken);
  assert.equal(r.status, 200);
  assert.equal((await t.api('GET', '/users/me', { token: r.body.accessToken })).body.id, u.id);
});

test('an expired refresh token is refused', async () => {
  const u = await registerUser(t);
  clock.advance((t.config.REFRESH_TOKEN_TTL_S + 1) * 1000);
  assert.equal((await refresh(u.refreshToken)).status, 401);
});

test('forgot-password: same answer for unknown emails, one email for a real one', async () => {
  const u = await registerUser(t);
  const ghost = `${uniq('ghost')}@example.test`;
  const a = await t.api('POST', '/auth/forgot-password', { body: { email: ghost } });
  const b = await t.api('POST', '/auth/forgot-password', { body: { email: u.email.toUpperCase() } });
  assert.equal(a.status, 200);
  assert.deepEqual(a.body, { success: true });
  assert.equal(b.status, 200);
  assert.deepEqual(b.body, a.body);
  const mail = await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'reset');
  assert.ok(mail.text.includes(`${t.config.PUBLIC_URL}/reset-password?token=`));
  assert.equal(
    t.mailer.sent.some((e) => e.to === ghost),
    false,
  );
});

test('reset-password: new password works, old one and every refresh token stop working, token single use', async () => {
  const u = await registerUser(t);
  const otherDevice = await t.api('POST', '/auth/login', {
    body: { login: u.username, password: u.password },
  });
  await t.api('POST', '/auth/forgot-password', { body: { email: u.email } });
  const token = (await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'reset')).meta!.token!;

  const weak = await t.api('POST', '/auth/reset-password', { body: { token, password: 'short' } });
  assert.equal(weak.status, 400);
  assert.equal(weak.body.error.code, 'VALIDATION_ERROR');

  const res = await t.api('POST', '/auth/reset-password', {
    body: { token, password: 'brand-new-password' },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { success: true });

  assert.equal((await refresh(u.refreshToken)).status, 401);
  assert.equal((await refresh(otherDevice.body.refreshToken)).status, 401);
  const oldPw = await t.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });
  assert.equal(oldPw.status, 401);
  const newPw = await t.api('POST', '/auth/login', {
    body: { login: u.username, password: 'brand-new-password' },
  });
  assert.equal(newPw.status, 200);
  assert.equal(newPw.body.user.id, u.id);

  const again = await t.api('POST', '/auth/reset-password', {
    body: { token, password: 'another-password' },
  });
  assert.equal(again.status, 400);
  assert.equal(again.body.error.code, 'BAD_REQUEST');
  const bogus = await t.api('POST', '/auth/reset-password', {
    body: { token: 'bogus', password: 'another-password' },
  });
  assert.equal(bogus.status, 400);
  // The failed attempts changed nothing.
  assert.equal(
    (await t.api('POST', '/auth/login', { body: { login: u.username, password: 'brand-new-password' } }))
      .status,
    200,
  );
});

test('reset tokens expire after RESET_TOKEN_TTL_S', async () => {
  const u = await registerUser(t);
  await t.api('POST', '/auth/forgot-password', { body: { email: u.email } });
  const token = (await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'reset')).meta!.token!;
  clock.advance((t.config.RESET_TOKEN_TTL_S + 1) * 1000);
  const res = await t.api('POST', '/auth/reset-password', {
    body: { token, password: 'brand-new-password' },
  });
  assert.equal(res.status, 400);
  assert.match(res.body.error.message, /expired/i);
  assert.equal(
    (await t.api('POST', '/auth/login', { body: { login: u.username, password: u.password } })).status,
    200,
  );
});

test('magic link: always success on send; redeem logs in once and verifies the email', async () => {
  const u = await registerUser(t);
  const ghost = await t.api('POST', '/auth/magic-link/send', {
    body: { email: `${uniq('g')}@example.test` },
  });
  assert.equal(ghost.status, 200);
  assert.deepEqual(ghost.body, { success: true });
  const sent = await t.api('POST', '/auth/magic-link/send', { body: { email: u.email } });
  assert.deepEqual(sent.body, ghost.body);
  const token = (await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'magic')).meta!.token!;

  const res = await t.api('POST', '/auth/magic-link/redeem', { body: { token } });
  assert.equal(res.status, 200);
  assert.equal(res.body.user.id, u.id);
  assert.equal(res.body.user.emailVerified, true);
  assert.equal((await t.api('GET', '/users/me', { token: res.body.accessToken })).body.id, u.id);
  assert.equal((await refresh(res.body.refreshToken)).status, 200);

  const again = await t.api('POST', '/auth/magic-link/redeem', { body: { token } });
  assert.equal(again.status, 400);
});

test('magic links expire after EMAIL_TOKEN_TTL_S', async () => {
  const u = await registerUser(t);
  await t.api('POST', '/auth/magic-link/send', { body: { email: u.email } });
  const token = (await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'magic')).meta!.token!;
  clock.advance((t.config.EMAIL_TOKEN_TTL_S + 1) * 1000);
  assert.equal((await t.api('POST', '/auth/magic-link/redeem', { body: { token } })).status, 400);
});

test('a token signed at an old time, or forged, is 401', async () => {
  const u = await registerUser(t);
  const old = await t.reef.engine.jwt.sign(u.id, 'access', 60, clock.now() - 3600_000);
  assert.equal((await t.api('GET', '/users/me', { token: old })).status, 401);
  const [h, p] = u.accessToken.split('.');
  const forged = `${h}.${p}.${'A'.repeat(43)}`;
  assert.equal((await t.api('GET', '/users/me', { token: forged })).status, 401);
  const mfaTyped = await t.reef.engine.jwt.sign(u.id, 'mfa', 60, clock.now());
  assert.equal((await t.api('GET', '/users/me', { token: mfaTyped })).status, 401);
  assert.equal((await t.api('GET', '/users/me')).status, 401);
  assert.equal((await t.api('GET', '/users/me', { headers: { authorization: 'Basic abc' } })).status, 401);
});
