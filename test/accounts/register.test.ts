import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUser } from '../helpers/users.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { RATE_LIMIT_AUTH: '1000/60' } });
});
after(() => t.close());

/**
 * How many accounts use any of these emails or usernames. (Other suites share the database in
 * services mode, so "nothing was written" is checked on the names a test tried, not a global count.)
 */
const accountsWith = async (...keys: string[]) =>
  (
    await t.reef.engine.db.db
      .selectFrom('users')
      .select('id')
      .where((eb) =>
        eb.or([
          eb(
            'email_lower',
            'in',
            keys.map((k) => k.toLowerCase()),
          ),
          eb(
            'username_lower',
            'in',
            keys.map((k) => k.toLowerCase()),
          ),
        ]),
      )
      .execute()
  ).length;

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
  assert.equal(res.body.user.avatarUrl, null);
  assert.equal(res.body.user.status, 'online');
  assert.match(res.body.user.id, /^\d+$/);
  assert.ok(!Number.isNaN(Date.parse(res.body.user.createdAt)));

  const meRes = await t.api('GET', '/users/me', { token: res.body.accessToken });
  assert.equal(meRes.status, 200);
  assert.deepEqual(meRes.body, res.body.user);

  // The username is claimed in the namespace shared with space slugs.
  const handle = await t.reef.engine.db.db
    .selectFrom('handles')
    .selectAll()
    .where('handle_lower', '=', username.toLowerCase())
    .executeTakeFirst();
  assert.deepEqual(handle, {
    handle_lower: username.toLowerCase(),
    kind: 'user',
    owner_id: res.body.user.id,
  });
  // Only the hash of the refresh token is stored.
  const tokens = await t.reef.engine.db.db
    .selectFrom('refresh_tokens')
    .select('token_hash')
    .where('user_id', '=', res.body.user.id)
    .execute();
  assert.equal(tokens.length, 1);
  assert.notEqual(tokens[0]!.token_hash, res.body.refreshToken);
});

test('the verification email verifies the address once', async () => {
  const u = await registerUser(t);
  const mail = await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'verify');
  const token = mail.meta!.token!;
  assert.ok(mail.text.includes(`${t.config.PUBLIC_URL}/verify-email?token=${token}`));

  const ok = await t.api('POST', '/auth/verify-email', { body: { token } });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { success: true });
  const meRes = await t.api('GET', '/users/me', { token: u.accessToken });
  assert.equal(meRes.body.emailVerified, true);

  const again = await t.api('POST', '/auth/verify-email', { body: { token } });
  assert.equal(again.status, 400);
  assert.equal(again.body.error.code, 'BAD_REQUEST');
  const resend = await t.api('POST', '/auth/resend-verification', { token: u.accessToken });
  assert.equal(resend.status, 400);
});

test('resend-verification sends a new working token and requires auth', async () => {
  const u = await registerUser(t);
  const first = await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'verify');
  assert.equal((await t.api('POST', '/auth/resend-verification')).status, 401);
  const res = await t.api('POST', '/auth/resend-verification', { token: u.accessToken });
  assert.equal(res.status, 200);
  const second = await t.mailer.waitFor(
    u.email,
    (e) => e.meta?.kind === 'verify' && e.meta.token !== first.meta!.token,
  );
  assert.equal(
    (await t.api('POST', '/auth/verify-email', { body: { token: second.meta!.token } })).status,
    200,
  );
  assert.equal((await t.api('GET', '/users/me', { token: u.accessToken })).body.emailVerified, true);
});

test('email and username are unique case-insensitively; 409 names the field', async () => {
  const u = await registerUser(t);
  const [otherName, otherEmail] = [uniq('x'), `${uniq('e')}@example.test`];
  const sameEmail = await t.api('POST', '/auth/register', {
    body: { email: u.email.toUpperCase(), username: otherName, displayName: 'X', password: 'password123' },
  });
  assert.equal(sameEmail.status, 409);
  assert.equal(sameEmail.body.error.code, 'CONFLICT');
  assert.equal(sameEmail.body.error.data.field, 'email');
  assert.match(sameEmail.body.error.message, /email/i);

  const sameName = await t.api('POST', '/auth/register', {
    body: {
      email: otherEmail,
      username: u.username.toUpperCase(),
      displayName: 'X',
      password: 'password123',
    },
  });
  assert.equal(sameName.status, 409);
  assert.equal(sameName.body.error.data.field, 'username');
  assert.match(sameName.body.error.message, /username/i);
  assert.equal(await accountsWith(otherName, otherEmail), 0);
  assert.equal(await accountsWith(u.username, u.email), 1);
});

test('a username may not equal a space slug (shared handles namespace)', async () => {
  const slug = uniq('space');
  // The spaces feature claims slugs in the same table.
  await t.reef.engine.db.db
    .insertInto('handles')
    .values({ handle_lower: slug.toLowerCase(), kind: 'space', owner_id: '1' })
    .execute();
  const email = `${uniq('e')}@example.test`;
  const res = await t.api('POST', '/auth/register', {
    body: {
      email,
      username: slug.toUpperCase(),
      displayName: 'X',
      password: 'password123',
    },
  });
  assert.equal(res.status, 409);
  assert.equal(res.body.error.data.field, 'username');
  assert.equal(await accountsWith(slug, email), 0);
});

test('concurrent registrations of one username: exactly one wins', async () => {
  const username = uniq('race');
  const results = await Promise.all(
    [1, 2, 3].map((i) =>
      t.api('POST', '/auth/register', {
        body: { email: `${username}${i}@example.test`, username, displayName: 'R', password: 'password123' },
      }),
    ),
  );
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409]);
});

test('register validates every field', async () => {
  const good = {
    email: `${uniq('v')}@example.test`,
    username: uniq('v'),
    displayName: 'Valid',
    password: 'password123',
  };
  const cases: Array<[string, Record<string, unknown>]> = [
    ['email', { email: 'not-an-email' }],
    ['email', { email: `${'a'.repeat(250)}@example.test` }],
    ['username', { username: 'a' }],
    ['username', { username: 'a'.repeat(33) }],
    ['username', { username: 'bad name!' }],
    ['displayName', { displayName: '' }],
    ['displayName', { displayName: 'd'.repeat(65) }],
    ['password', { password: 'short' }],
    ['password', { password: 'p'.repeat(129) }],
    ['email', { email: undefined }],
  ];
  for (const [field, patch] of cases) {
    const res = await t.api('POST', '/auth/register', { body: { ...good, ...patch } });
    assert.equal(res.status, 400, `${field} ${JSON.stringify(patch).slice(0, 40)}`);
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    assert.ok(
      res.body.error.data.issues.some((i: { path: string }) => i.path === field),
      JSON.stringify(res.body.error.data.issues),
    );
  }
  assert.equal(await accountsWith(good.username, good.email), 0);
  // Boundaries are accepted.
  const edge = await t.api('POST', '/auth/register', {
    body: {
      ...good,
      username: `a-${uniq('')}`.slice(0, 2 + 10),
      displayName: 'd'.repeat(64),
      password: 'p'.repeat(8),
    },
  });
  assert.equal(edge.status, 201, JSON.stringify(edge.body));
});

test('login by username or email, case-insensitively; a wrong password is 401', async () => {
  const u = await registerUser(t);
  for (const login of [u.username, u.username.toUpperCase(), u.email.toUpperCase()]) {
    const res = await t.api('POST', '/auth/login', { body: { login, password: u.password } });
    assert.equal(res.status, 200, login);
    assert.equal(res.body.user.id, u.id);
    assert.equal(res.body.user.email, u.email);
    const meRes = await t.api('GET', '/users/me', { token: res.body.accessToken });
    assert.equal(meRes.body.username, u.username);
  }
  const bad = await t.api('POST', '/auth/login', { body: { login: u.username, password: 'wrong-password' } });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error.code, 'UNAUTHORIZED');
  assert.equal(bad.body.accessToken, undefined);
  const nobody = await t.api('POST', '/auth/login', {
    body: { login: uniq('nobody'), password: 'whatever1' },
  });
  assert.equal(nobody.status, 401);
  assert.equal(nobody.body.error.message, bad.body.error.message);
});
