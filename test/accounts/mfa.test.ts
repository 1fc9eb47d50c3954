import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { ManualClock } from '../../engine/clock.ts';
import { TestContext } from '../context.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';

const clock = new ManualClock(Date.now());
let t: TestContext;
before(async () => {
  t = await TestContext.start({ clock, env: { RATE_LIMIT_AUTH: '1000/60' } });
});
after(() => t.close());

/** The code an authenticator app shows `offsetS` seconds from the server's now. */
const code = (secret: string, offsetS = 0) =>
  generate({ secret, epoch: Math.floor(clock.now() / 1000) + offsetS });

async function enableTotp(u: TestUser): Promise<{ secret: string; backupCodes: string[] }> {
  const setup = await t.api('POST', '/mfa/totp/setup', { token: u.accessToken });
  assert.equal(setup.status, 200);
  const secret: string = setup.body.secret;
  const confirm = await t.api('POST', '/mfa/totp/confirm', {
    token: u.accessToken,
    body: { code: await code(secret) },
  });
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  // Step past the confirmed code so the next login code is a fresh one.
  clock.advance(30_000);
  return { secret, backupCodes: confirm.body.backupCodes };
}

const login = (u: TestUser) =>
  t.api('POST', '/auth/login', { body: { login: u.username, password: u.password } });

test('setup returns a secret, an otpauth URL and a QR data URL; confirm enables TOTP with 10 backup codes', async () => {
  const u = await registerUser(t);
  const setup = await t.api('POST', '/mfa/totp/setup', { token: u.accessToken });
  assert.equal(setup.status, 200);
  assert.match(setup.body.secret, /^[A-Z2-7]{16,}$/);
  assert.match(setup.body.otpauthUrl, /^otpauth:\/\/totp\//);
  assert.ok(setup.body.otpauthUrl.includes(`secret=${setup.body.secret}`));
  assert.ok(setup.body.otpauthUrl.includes(encodeURIComponent(u.email)));
  assert.match(setup.body.qrCode, /^data:image\/png;base64,/);
  // Not on until confirmed: login still returns tokens.
  assert.ok((await login(u)).body.accessToken);

  const wrong = await t.api('POST', '/mfa/totp/confirm', { token: u.accessToken, body: { code: '000000' } });
  assert.equal(wrong.status, 400);
  const notSix = await t.api('POST', '/mfa/totp/confirm', { token: u.accessToken, body: { code: '12345' } });
  assert.equal(notSix.status, 400);
  assert.equal(notSix.body.error.code, 'VALIDATION_ERROR');
  assert.equal((await t.api('GET', '/users/me', { token: u.accessToken })).body.totpEnabled, false);

  const ok = await t.api('POST', '/mfa/totp/confirm', {
    token: u.accessToken,
    body: { code: await code(setup.body.secret) },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.backupCodes.length, 10);
  assert.equal(new Set(ok.body.backupCodes).size, 10);
  assert.equal((await t.api('GET', '/users/me', { token: u.accessToken })).body.totpEnabled, true);
  // Stored hashed.
  const stored = await t.reef.engine.db.db
    .selectFrom('mfa_backup_codes')
    .select('code_hash')
    .where('user_id', '=', u.id)
    .execute();
  assert.equal(stored.length, 10);
  for (const c of ok.body.backupCodes) assert.ok(!stored.some((s) => s.code_hash.includes(c)));
});

test('login with TOTP on: mfaRequired, then /auth/mfa/verify with a code gives the session', async () => {
  const u = await registerUser(t);
  const { secret } = await enableTotp(u);
  const first = await login(u);
  assert.equal(first.status, 200);
  assert.equal(first.body.mfaRequired, true);
  assert.ok(first.body.mfaToken);
  assert.equal(first.body.accessToken, undefined);

  const bad = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: first.body.mfaToken, code: '000000' },
  });
  assert.equal(bad.status, 401);
  const ok = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: first.body.mfaToken, code: await code(secret) },
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.user.id, u.id);
  assert.equal(ok.body.user.totpEnabled, true);
  assert.equal((await t.api('GET', '/users/me', { token: ok.body.accessToken })).body.id, u.id);

  // The same code cannot be replayed (RFC 6238 §5.2), in this login or another.
  const replay = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: first.body.mfaToken, code: await code(secret) },
  });
  assert.equal(replay.status, 401);
  const second = await login(u);
  const replay2 = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: second.body.mfaToken, code: await code(secret) },
  });
  assert.equal(replay2.status, 401);
  // A code of the next step is accepted (one step of tolerance for clock drift).
  const next = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: second.body.mfaToken, code: await code(secret, 30) },
  });
  assert.equal(next.status, 200);
  // Two steps away is refused.
  const third = await login(u);
  const far = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: third.body.mfaToken, code: await code(secret, 90) },
  });
  assert.equal(far.status, 401);
});

test('an mfaToken expires after MFA_TOKEN_TTL_S and is not an access token', async () => {
  const u = await registerUser(t);
  const { secret } = await enableTotp(u);
  const { mfaToken } = (await login(u)).body;
  assert.equal((await t.api('GET', '/users/me', { token: mfaToken })).status, 401);
  clock.advance((t.config.MFA_TOKEN_TTL_S + 1) * 1000);
  const res = await t.api('POST', '/auth/mfa/verify', { body: { mfaToken, code: await code(secret) } });
  assert.equal(res.status, 401);
});

test('a backup code works once', async () => {
  const u = await registerUser(t);
  const { backupCodes } = await enableTotp(u);
  const a = await login(u);
  const ok = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: a.body.mfaToken, code: backupCodes[3]!.toUpperCase() },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.user.id, u.id);
  const b = await login(u);
  const again = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: b.body.mfaToken, code: backupCodes[3] },
  });
  assert.equal(again.status, 401);
  const other = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: b.body.mfaToken, code: backupCodes[4] },
  });
  assert.equal(other.status, 200);
});

test('regenerating backup codes needs the password and invalidates the old ones', async () => {
  const u = await registerUser(t);
  const { backupCodes } = await enableTotp(u);
  const wrong = await t.api('POST', '/mfa/totp/backup-codes', {
    token: u.accessToken,
    body: { password: 'nope-nope' },
  });
  assert.equal(wrong.status, 403);
  const res = await t.api('POST', '/mfa/totp/backup-codes', {
    token: u.accessToken,
    body: { password: u.password },
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.backupCodes.length, 10);
  const a = await login(u);
  assert.equal(
    (await t.api('POST', '/auth/mfa/verify', { body: { mfaToken: a.body.mfaToken, code: backupCodes[0] } }))
      .status,
    401,
  );
  assert.equal(
    (
      await t.api('POST', '/auth/mfa/verify', {
        body: { mfaToken: a.body.mfaToken, code: res.body.backupCodes[0] },
      })
    ).status,
    200,
  );
});

test('disable needs the password; afterwards login returns tokens directly', async () => {
  const u = await registerUser(t);
  await enableTotp(u);
  const wrong = await t.api('POST', '/mfa/totp/disable', {
    token: u.accessToken,
    body: { password: 'nope-nope' },
  });
  assert.equal(wrong.status, 403);
  assert.equal((await login(u)).body.mfaRequired, true);
  const ok = await t.api('POST', '/mfa/totp/disable', {
    token: u.accessToken,
    body: { password: u.password },
  });
  assert.equal(ok.status, 200);
  const after = await login(u);
  assert.equal(after.body.mfaRequired, undefined);
  assert.equal(after.body.user.totpEnabled, false);
  const rows = await t.reef.engine.db.db
    .selectFrom('mfa_backup_codes')
    .select('id')
    .where('user_id', '=', u.id)
    .execute();
  assert.equal(rows.length, 0);
  assert.equal(
    (await t.api('POST', '/mfa/totp/disable', { token: u.accessToken, body: { password: u.password } }))
      .status,
    400,
  );
});

test('a magic link for a TOTP account still asks for the second factor', async () => {
  const u = await registerUser(t);
  const { secret } = await enableTotp(u);
  await t.api('POST', '/auth/magic-link/send', { body: { email: u.email } });
  const token = (await t.mailer.waitFor(u.email, (e) => e.meta?.kind === 'magic')).meta!.token!;
  const res = await t.api('POST', '/auth/magic-link/redeem', { body: { token } });
  assert.equal(res.body.mfaRequired, true);
  const ok = await t.api('POST', '/auth/mfa/verify', {
    body: { mfaToken: res.body.mfaToken, code: await code(secret) },
  });
  assert.equal(ok.status, 200);
});

test('MFA endpoints require auth', async () => {
  for (const p of ['/mfa/totp/setup', '/mfa/totp/confirm', '/mfa/totp/disable', '/mfa/totp/backup-codes'])
    assert.equal((await t.api('POST', p, { body: {} })).status, 401, p);
});
