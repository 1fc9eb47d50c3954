import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { TestContext } from '../context.ts';
import { registerUser } from '../helpers/users.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { RATE_LIMIT_AUTH: '1000/60', AVATAR_MAX_BYTES: String(200 * 1024) } });
});
after(() => t.close());

test('PATCH /users/me updates the given fields; others see them, not the email', async () => {
  const u = await registerUser(t);
  const viewer = await registerUser(t);
  const res = await t.api('PATCH', '/users/me', {
    token: u.accessToken,
    body: { displayName: '  Alice A.  ', bio: 'hello', baseColor: '#112233', accentColor: '#aabbcc' },
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.displayName, 'Alice A.');
  assert.equal(res.body.bio, 'hello');
  assert.equal(res.body.baseColor, '#112233');
  assert.equal(res.body.accentColor, '#aabbcc');
  assert.equal(res.body.email, u.email);

  const seen = await t.api('GET', `/users/${u.id}`, { token: viewer.accessToken });
  assert.equal(seen.status, 200);
  assert.equal(seen.body.displayName, 'Alice A.');
  assert.equal(seen.body.bio, 'hello');
  assert.equal(seen.body.baseColor, '#112233');
  assert.equal(seen.body.email, undefined);
  assert.equal(seen.body.totpEnabled, undefined);
  assert.equal(seen.body.canViewProfile, true);

  // null clears; absent fields stay.
  const cleared = await t.api('PATCH', '/users/me', {
    token: u.accessToken,
    body: { bio: null, baseColor: null },
  });
  assert.equal(cleared.body.bio, null);
  assert.equal(cleared.body.baseColor, null);
  assert.equal(cleared.body.accentColor, '#aabbcc');
  assert.equal(cleared.body.displayName, 'Alice A.');
});

test('PATCH /users/me refuses bad values and writes nothing', async () => {
  const u = await registerUser(t);
  const cases: Array<[string, Record<string, unknown>]> = [
    ['displayName', { displayName: '' }],
    ['displayName', { displayName: '   ' }],
    ['displayName', { displayName: 'x'.repeat(65) }],
    ['bio', { bio: 'b'.repeat(501) }],
    ['baseColor', { baseColor: 'red' }],
    ['accentColor', { accentColor: '#12345' }],
    ['avatarUrl', { avatarUrl: 'javascript:alert(1)' }],
  ];
  for (const [field, body] of cases) {
    const res = await t.api('PATCH', '/users/me', {
      token: u.accessToken,
      body: { bio: 'changed', ...body },
    });
    assert.equal(res.status, 400, field);
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    assert.ok(
      res.body.error.data.issues.some((i: { path: string }) => i.path === field),
      field,
    );
  }
  const me = await t.api('GET', '/users/me', { token: u.accessToken });
  assert.deepEqual(me.body, u.user);
});

function form(field: string, data: Buffer, filename: string, type: string): FormData {
  const f = new FormData();
  f.append(field, new Blob([new Uint8Array(data)], { type }), filename);
  return f;
}

test('avatar upload: resized to 256x256 webp, stored, served, set on the user', async () => {
  const u = await registerUser(t);
  const png = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  const res = await t.api('POST', '/users/me/avatar', {
    token: u.accessToken,
    raw: form('avatar', png, 'me.png', 'image/png'),
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.avatarUrl, /^\/uploads\/avatars\/\d+\.webp$/);

  const file = await fetch(t.url + res.body.avatarUrl);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get('content-type'), 'image/webp');
  const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
  assert.equal(meta.format, 'webp');
  assert.equal(meta.width, 256);
  assert.equal(meta.height, 256);

  const me = await t.api('GET', '/users/me', { token: u.accessToken });
  assert.equal(me.body.avatarUrl, res.body.avatarUrl);

  // A second upload replaces the first; the old file is removed.
  const jpg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#00ff00' } })
    .jpeg()
    .toBuffer();
  const res2 = await t.api('POST', '/users/me/avatar', {
    token: u.accessToken,
    raw: form('avatar', jpg, 'x.jpg', 'image/jpeg'),
  });
  assert.equal(res2.status, 200);
  assert.notEqual(res2.body.avatarUrl, res.body.avatarUrl);
  assert.equal((await fetch(t.url + res.body.avatarUrl)).status, 404);
  assert.equal(
    (await t.api('GET', '/users/me', { token: u.accessToken })).body.avatarUrl,
    res2.body.avatarUrl,
  );
});

test('avatar upload refuses non-images, a missing field, oversize files and JSON', async () => {
  const u = await registerUser(t);
  const text = await t.api('POST', '/users/me/avatar', {
    token: u.accessToken,
    raw: form('avatar', Buffer.from('not an image at all'), 'a.png', 'image/png'),
  });
  assert.equal(text.status, 400);
  assert.equal(text.body.error.code, 'BAD_REQUEST');
  const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  const wrongField = await t.api('POST', '/users/me/avatar', {
    token: u.accessToken,
    raw: form('picture', png, 'a.png', 'image/png'),
  });
  assert.equal(wrongField.status, 400);
  const big = await sharp({
    create: {
      width: 1200,
      height: 1200,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .png()
    .toBuffer();
  assert.ok(big.length > 200 * 1024);
  const tooBig = await t.api('POST', '/users/me/avatar', {
    token: u.accessToken,
    raw: form('avatar', big, 'a.png', 'image/png'),
  });
  assert.equal(tooBig.status, 413);
  const json = await t.api('POST', '/users/me/avatar', { token: u.accessToken, body: { avatar: 'x' } });
  assert.equal(json.status, 415);
  assert.equal((await t.api('GET', '/users/me', { token: u.accessToken })).body.avatarUrl, null);
});

test('preferences: defaults, partial updates, every allowed value, invalid values refused', async () => {
  const u = await registerUser(t);
  const defaults = await t.api('GET', '/users/preferences', { token: u.accessToken });
  assert.equal(defaults.status, 200);
  assert.deepEqual(defaults.body, {
    distanceUnits: 'metric',
    defaultVisibility: 'public',
    profileVisibility: 'public',
    onboardingCompleted: false,
    newsletterEnabled: false,
    activitiesVisibility: null,
    followRequestPolicy: 'accept_all',
    msgPrivacyAll: 'accept_all',
    msgPrivacyFollowed: 'accept_all',
    msgPrivacySpaces: 'accept_all',
    msgPrivacyGroupDm: 'accept_all',
    timezone: 'UTC',
  });
  const update = {
    distanceUnits: 'us_customary',
    defaultVisibility: 'followers',
    profileVisibility: 'spaces',
    onboardingCompleted: true,
    newsletterEnabled: true,
    activitiesVisibility: 'private',
    followRequestPolicy: 'accept_mutual_spaces',
    msgPrivacyAll: 'require_approval',
    msgPrivacyFollowed: 'dont_allow',
    msgPrivacySpaces: 'require_approval',
    msgPrivacyGroupDm: 'dont_allow',
    timezone: 'Europe/Berlin',
  };
  const put = await t.api('PUT', '/users/preferences', { token: u.accessToken, body: update });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual(put.body, update);
  assert.deepEqual((await t.api('GET', '/users/preferences', { token: u.accessToken })).body, update);

  const partial = await t.api('PUT', '/users/preferences', {
    token: u.accessToken,
    body: { followRequestPolicy: 'require_approval', activitiesVisibility: null },
  });
  assert.deepEqual(partial.body, {
    ...update,
    followRequestPolicy: 'require_approval',
    activitiesVisibility: null,
  });

  for (const [field, value] of [
    ['distanceUnits', 'imperial'],
    ['defaultVisibility', 'everyone'],
    ['profileVisibility', 'friends'],
    ['onboardingCompleted', 'yes'],
    ['followRequestPolicy', 'deny'],
    ['msgPrivacyAll', 'nobody'],
    ['timezone', 'Mars/Olympus'],
  ] as const) {
    const res = await t.api('PUT', '/users/preferences', { token: u.accessToken, body: { [field]: value } });
    assert.equal(res.status, 400, field);
    assert.equal(res.body.error.data.issues[0].path, field);
  }
});

test('msgPrivacy sub-settings cannot be less restrictive than msgPrivacyAll (stored values merged)', async () => {
  const u = await registerUser(t);
  // All at accept_all: raising msgPrivacyAll alone would leave the others less restrictive.
  const raise = await t.api('PUT', '/users/preferences', {
    token: u.accessToken,
    body: { msgPrivacyAll: 'require_approval' },
  });
  assert.equal(raise.status, 400);
  assert.deepEqual(raise.body.error.data.issues.map((i: { path: string }) => i.path).sort(), [
    'msgPrivacyFollowed',
    'msgPrivacyGroupDm',
    'msgPrivacySpaces',
  ]);
  assert.equal(
    (await t.api('GET', '/users/preferences', { token: u.accessToken })).body.msgPrivacyAll,
    'accept_all',
  );

  const ok = await t.api('PUT', '/users/preferences', {
    token: u.accessToken,
    body: {
      msgPrivacyAll: 'require_approval',
      msgPrivacyFollowed: 'require_approval',
      msgPrivacySpaces: 'dont_allow',
      msgPrivacyGroupDm: 'require_approval',
    },
  });
  assert.equal(ok.status, 200);
  // Now lowering one sub-setting below the stored msgPrivacyAll is refused.
  const lower = await t.api('PUT', '/users/preferences', {
    token: u.accessToken,
    body: { msgPrivacySpaces: 'accept_all' },
  });
  assert.equal(lower.status, 400);
  assert.equal(lower.body.error.data.issues[0].path, 'msgPrivacySpaces');
  assert.equal(
    (await t.api('GET', '/users/preferences', { token: u.accessToken })).body.msgPrivacySpaces,
    'dont_allow',
  );
  // Lowering msgPrivacyAll is always fine.
  const relax = await t.api('PUT', '/users/preferences', {
    token: u.accessToken,
    body: { msgPrivacyAll: 'accept_all' },
  });
  assert.equal(relax.status, 200);
  assert.equal(relax.body.msgPrivacyAll, 'accept_all');
});

test('DELETE /users/me needs the password; then the account, its tokens and its username are gone', async () => {
  const u = await registerUser(t);
  const other = await registerUser(t);
  const wrong = await t.api('DELETE', '/users/me', { token: u.accessToken, body: { password: 'wrong-one' } });
  assert.equal(wrong.status, 403);
  assert.equal((await t.api('GET', `/users/${u.id}`, { token: other.accessToken })).status, 200);

  const res = await t.api('DELETE', '/users/me', { token: u.accessToken, body: { password: u.password } });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { success: true });
  assert.equal((await t.api('GET', `/users/${u.id}`, { token: other.accessToken })).status, 404);
  assert.equal((await t.api('GET', '/users/me', { token: u.accessToken })).status, 401);
  assert.equal(
    (await t.api('POST', '/auth/refresh', { body: { refreshToken: u.refreshToken } })).status,
    401,
  );
  assert.equal(
    (await t.api('POST', '/auth/login', { body: { login: u.username, password: u.password } })).status,
    401,
  );
  // The username (and email) are free again.
  const again = await registerUser(t, { username: u.username, email: u.email });
  assert.notEqual(again.id, u.id);
});
