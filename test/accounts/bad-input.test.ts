import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

// A 16 KB body limit: a 10 KB field passes the edge and meets validation, 20 KB is 413; a low auth rate limit on a second context.
let t: TestContext;
let limited: TestContext;
before(async () => {
  [t, limited] = await Promise.all([
    TestContext.start({ env: { RATE_LIMIT_AUTH: '1000/60', BODY_LIMIT_BYTES: '16384' } }),
    TestContext.start({ env: { RATE_LIMIT_AUTH: '3/60', TRUST_PROXY: 'true' } }),
  ]);
});
after(() => Promise.all([t.close(), limited.close()]));

/** Accounts with this name as username or email local part (the database is shared in services mode). */
const accountsWith = async (name: string) =>
  (
    await t.reef.engine.db.db
      .selectFrom('users')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('username_lower', '=', name.toLowerCase()),
          eb('email_lower', '=', `${name.toLowerCase()}@example.test`),
        ]),
      )
      .execute()
  ).length;
/** The profile as its owner sees it must be unchanged after a refused request. */
async function assertUnchanged(u: TestUser) {
  const me = await t.api('GET', '/users/me', { token: u.accessToken });
  assert.deepEqual(me.body, u.user);
}

test('malformed JSON is 400 BAD_REQUEST and creates nothing', async () => {
  const name = uniq('z');
  const res = await t.api('POST', '/auth/register', {
    raw: `{"email":"${name}@example.test","username":`,
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'BAD_REQUEST');
  assert.equal(await accountsWith(name), 0);
  const u = await registerUser(t);
  const patch = await t.api('PATCH', '/users/me', {
    token: u.accessToken,
    raw: '{"bio": "x",}',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(patch.status, 400);
  assert.equal(patch.body.error.code, 'BAD_REQUEST');
  await assertUnchanged(u);
});

test('a body over BODY_LIMIT_BYTES is 413', async () => {
  const u = await registerUser(t);
  const res = await t.api('PATCH', '/users/me', { token: u.accessToken, body: { bio: 'b'.repeat(20_000) } });
  assert.equal(res.status, 413);
  assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
  await assertUnchanged(u);
  const name = uniq('z');
  const reg = await t.api('POST', '/auth/register', {
    body: {
      email: `${name}@example.test`,
      username: name,
      displayName: 'd'.repeat(20_000),
      password: 'password123',
    },
  });
  assert.equal(reg.status, 413);
  assert.equal(await accountsWith(name), 0);
});

test('a wrong content type is 415', async () => {
  const u = await registerUser(t);
  const res = await t.api('PATCH', '/users/me', {
    token: u.accessToken,
    raw: JSON.stringify({ bio: 'via text' }),
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(res.status, 415);
  assert.equal(res.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  await assertUnchanged(u);
  const name = uniq('z');
  const form = new URLSearchParams({
    email: `${name}@example.test`,
    username: name,
    displayName: 'F',
    password: 'password123',
  });
  const reg = await t.api('POST', '/auth/register', {
    raw: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(reg.status, 415);
  assert.equal(await accountsWith(name), 0);
});

test('missing, malformed and forged tokens are 401', async () => {
  const u = await registerUser(t);
  const [h, p, s] = u.accessToken.split('.');
  // A payload claiming another subject with the original signature.
  const otherSub = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: '1' }),
  ).toString('base64url');
  for (const token of [undefined, 'garbage', `${h}.${otherSub}.${s}`, `${h}.${p}.`]) {
    const res = await t.api('PATCH', '/users/me', { ...(token ? { token } : {}), body: { bio: 'hacked' } });
    assert.equal(res.status, 401, String(token).slice(0, 20));
    assert.equal(res.body.error.code, 'UNAUTHORIZED');
  }
  await assertUnchanged(u);
});

test('unknown routes are 404; a non-numeric id is 400', async () => {
  const u = await registerUser(t);
  for (const path of ['/users/me/nothing', '/auth/nothing', '/users/blocks/1/x']) {
    const res = await t.api('GET', path, { token: u.accessToken });
    assert.equal(res.status, 404, path);
    assert.equal(res.body.error.code, 'NOT_FOUND');
  }
  for (const [method, path] of [
    ['GET', '/users/abc'],
    ['GET', '/users/12abc/profile-links'],
    ['PUT', '/users/blocks/abc'],
    ['PUT', '/users/mutes/-1'],
    ['DELETE', '/users/me/profile-links/1.5'],
    ['GET', '/users/99999999999999999999'],
  ] as const) {
    const res = await t.api(method, path, { token: u.accessToken });
    assert.equal(res.status, 400, `${method} ${path}`);
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
  }
  assert.deepEqual((await t.api('GET', '/users/blocks', { token: u.accessToken })).body, {
    blockedByMe: [],
    blockedMe: [],
  });
  assert.deepEqual((await t.api('GET', '/users/mutes', { token: u.accessToken })).body, []);
});

test('a 10 KB string is 400 VALIDATION_ERROR naming the field; nothing is written', async () => {
  const big = 'x'.repeat(10 * 1024);
  const u = await registerUser(t);
  for (const field of ['displayName', 'bio', 'avatarUrl', 'baseColor']) {
    const res = await t.api('PATCH', '/users/me', { token: u.accessToken, body: { [field]: big } });
    assert.equal(res.status, 400, field);
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    assert.deepEqual(
      res.body.error.data.issues.map((i: { path: string }) => i.path),
      [field],
    );
  }
  assert.deepEqual((await t.api('GET', '/users/me', { token: u.accessToken })).body, u.user);
  const username = uniq('big');
  const reg = await t.api('POST', '/auth/register', {
    body: { email: `${username}@example.test`, username: big, displayName: 'B', password: 'password123' },
  });
  assert.equal(reg.status, 400);
  assert.equal(reg.body.error.data.issues[0].path, 'username');
  assert.equal(await accountsWith(username), 0);
  const link = await t.api('POST', '/users/me/profile-links', {
    token: u.accessToken,
    body: { label: big, url: 'https://x.test' },
  });
  assert.equal(link.status, 400);
  assert.equal(link.body.error.data.issues[0].path, 'label');
  assert.deepEqual((await t.api('GET', '/users/me/profile-links', { token: u.accessToken })).body, []);
});

test('a NUL byte in a field is 400 naming the field; nothing is written', async () => {
  const u = await registerUser(t);
  const res = await t.api('PATCH', '/users/me', {
    token: u.accessToken,
    body: { displayName: 'evil\u0000name' },
  });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'VALIDATION_ERROR');
  assert.equal(res.body.error.data.issues[0].path, 'displayName');
  await assertUnchanged(u);
  const name = uniq('z');
  const reg = await t.api('POST', '/auth/register', {
    body: {
      email: `${name}@example.test`,
      username: name,
      displayName: 'N\u0000',
      password: 'password123',
    },
  });
  assert.equal(reg.status, 400);
  assert.equal(await accountsWith(name), 0);
});

test('auth endpoints are rate limited per IP (RATE_LIMIT_AUTH) with Retry-After', async () => {
  const u = await registerUser(limited);
  const attempt = () =>
    limited.api('POST', '/auth/login', { body: { login: u.username, password: 'wrong-password' } });
  for (let i = 0; i < 3; i++) assert.equal((await attempt()).status, 401);
  const refused = await attempt();
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error.code, 'RATE_LIMITED');
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
  // Even the right password is refused while limited.
  const right = await limited.api('POST', '/auth/login', {
    body: { login: u.username, password: u.password },
  });
  assert.equal(right.status, 429);

  for (let i = 0; i < 3; i++)
    assert.equal(
      (await limited.api('POST', '/auth/forgot-password', { body: { email: u.email } })).status,
      200,
    );
  const forgot = await limited.api('POST', '/auth/forgot-password', { body: { email: u.email } });
  assert.equal(forgot.status, 429);
  assert.ok(Number(forgot.headers.get('retry-after')) >= 1);

  for (let i = 0; i < 3; i++)
    assert.equal(
      (await limited.api('POST', '/auth/reset-password', { body: { token: 'x', password: 'password123' } }))
        .status,
      400,
    );
  assert.equal(
    (await limited.api('POST', '/auth/reset-password', { body: { token: 'x', password: 'password123' } }))
      .status,
    429,
  );
});

test('forgot-password and magic links are also limited per address, across IPs', async () => {
  const u = await registerUser(limited);
  const other = await registerUser(limited);
  const from = (ip: string, email: string) =>
    limited.api('POST', '/auth/forgot-password', { body: { email }, headers: { 'x-forwarded-for': ip } });
  for (let i = 0; i < 3; i++) assert.equal((await from(`10.1.0.${i}`, u.email)).status, 200);
  const fourth = await from('10.1.0.99', u.email.toUpperCase());
  assert.equal(fourth.status, 429);
  assert.ok(Number(fourth.headers.get('retry-after')) >= 1);
  // Another address from a fresh IP is unaffected.
  assert.equal((await from('10.1.1.1', other.email)).status, 200);
  // Exactly three reset emails went to the victim.
  await limited.mailer.waitFor(other.email, (e) => e.meta?.kind === 'reset');
  assert.equal(limited.mailer.sent.filter((e) => e.to === u.email && e.meta?.kind === 'reset').length, 3);
});
