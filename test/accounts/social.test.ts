import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUser, type TestUser } from '../helpers/users.ts';
import type { SpaceProfile } from '../../domain/accounts/index.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { RATE_LIMIT_AUTH: '1000/60' } });
});
after(() => t.close());

const db = () => t.reef.engine.db.db;
const follow = (a: TestUser, b: TestUser, status: 'accepted' | 'pending' = 'accepted') =>
  db().insertInto('follows').values({ follower_id: a.id, followee_id: b.id, status }).execute();
const followCount = async (a: TestUser, b: TestUser) =>
  (
    await db()
      .selectFrom('follows')
      .select('status')
      .where((eb) =>
        eb.or([
          eb.and([eb('follower_id', '=', a.id), eb('followee_id', '=', b.id)]),
          eb.and([eb('follower_id', '=', b.id), eb('followee_id', '=', a.id)]),
        ]),
      )
      .execute()
  ).length;

test('search matches username or display name, max 20, excludes the caller', async () => {
  const tag = uniq('srch');
  const me = await registerUser(t, { username: `${tag}me` });
  const byName = await registerUser(t, { username: `${tag}bob` });
  const byDisplay = await registerUser(t, { displayName: `Captain ${tag.toUpperCase()} Fox` });
  const res = await t.api('GET', `/users/search?q=${tag.toUpperCase()}`, { token: me.accessToken });
  assert.equal(res.status, 200);
  const ids = res.body.map((u: { id: string }) => u.id);
  assert.ok(ids.includes(byName.id));
  assert.ok(ids.includes(byDisplay.id));
  assert.ok(!ids.includes(me.id));
  assert.deepEqual(
    res.body.find((u: { id: string }) => u.id === byName.id),
    {
      id: byName.id,
      username: byName.username,
      displayName: byName.user.displayName,
      avatarUrl: null,
    },
  );

  // A prefix match ranks before a substring match.
  const sub = await t.api('GET', `/users/search?q=${tag}b`, { token: me.accessToken });
  assert.equal(sub.body[0].id, byName.id);

  await Promise.all(Array.from({ length: 22 }, (_, i) => registerUser(t, { username: `${tag}n${i}` })));
  const many = await t.api('GET', `/users/search?q=${tag}`, { token: me.accessToken });
  assert.equal(many.body.length, 20);

  // Wildcards are literal.
  const pct = await t.api('GET', `/users/search?q=${encodeURIComponent('%%')}`, { token: me.accessToken });
  assert.deepEqual(pct.body, []);
});

test('search needs q of at least 2 characters and auth', async () => {
  const me = await registerUser(t);
  for (const q of ['', 'a', '%20a%20']) {
    const res = await t.api('GET', `/users/search?q=${q}`, { token: me.accessToken });
    assert.equal(res.status, 400, q);
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    assert.equal(res.body.error.data.issues[0].path, 'q');
  }
  assert.equal((await t.api('GET', '/users/search', { token: me.accessToken })).status, 400);
  assert.equal((await t.api('GET', '/users/search?q=abc')).status, 401);
});

test('blocks: idempotent, listed both ways, remove follows both ways, hide from search', async () => {
  const tag = uniq('blk');
  const a = await registerUser(t, { username: `${tag}a` });
  const b = await registerUser(t, { username: `${tag}b` });
  await follow(a, b);
  await follow(b, a, 'pending');
  assert.equal(await followCount(a, b), 2);
  const hookCalls: string[] = [];
  const hooks = t.reef.services.accounts.hooks.onBlock;
  const hook = async (_trx: unknown, blocker: string, blocked: string) => {
    hookCalls.push(`${blocker}>${blocked}`);
  };
  hooks.push(hook);
  after(() => void hooks.splice(hooks.indexOf(hook), 1));

  const put = await t.api('PUT', `/users/blocks/${b.id}`, { token: a.accessToken });
  assert.equal(put.status, 204);
  assert.equal((await t.api('PUT', `/users/blocks/${b.id}`, { token: a.accessToken })).status, 204);
  assert.equal(await followCount(a, b), 0);
  assert.deepEqual(hookCalls, [`${a.id}>${b.id}`, `${a.id}>${b.id}`]);

  assert.deepEqual((await t.api('GET', '/users/blocks', { token: a.accessToken })).body, {
    blockedByMe: [b.id],
    blockedMe: [],
  });
  assert.deepEqual((await t.api('GET', '/users/blocks', { token: b.accessToken })).body, {
    blockedByMe: [],
    blockedMe: [a.id],
  });

  // Neither finds the other.
  const fromB = await t.api('GET', `/users/search?q=${tag}`, { token: b.accessToken });
  assert.deepEqual(
    fromB.body.map((u: { id: string }) => u.id),
    [],
  );
  const fromA = await t.api('GET', `/users/search?q=${tag}`, { token: a.accessToken });
  assert.deepEqual(
    fromA.body.map((u: { id: string }) => u.id),
    [],
  );
  // A third user still finds both.
  const c = await registerUser(t);
  const fromC = await t.api('GET', `/users/search?q=${tag}`, { token: c.accessToken });
  assert.deepEqual(fromC.body.map((u: { id: string }) => u.id).sort(), [a.id, b.id].sort());
  // The profile content is not visible across a block.
  assert.equal((await t.api('GET', `/users/${a.id}`, { token: b.accessToken })).body.canViewProfile, false);

  const del = await t.api('DELETE', `/users/blocks/${b.id}`, { token: a.accessToken });
  assert.equal(del.status, 204);
  assert.deepEqual((await t.api('GET', '/users/blocks', { token: b.accessToken })).body, {
    blockedByMe: [],
    blockedMe: [],
  });
  assert.equal((await t.api('GET', `/users/search?q=${tag}`, { token: b.accessToken })).body[0].id, a.id);
  // Follows removed by the block stay removed.
  assert.equal(await followCount(a, b), 0);
});

test('blocking yourself is 400, an unknown user 404', async () => {
  const a = await registerUser(t);
  assert.equal((await t.api('PUT', `/users/blocks/${a.id}`, { token: a.accessToken })).status, 400);
  assert.equal((await t.api('PUT', '/users/blocks/123456789', { token: a.accessToken })).status, 404);
  assert.deepEqual((await t.api('GET', '/users/blocks', { token: a.accessToken })).body.blockedByMe, []);
});

test('mutes: list, idempotent mute, unmute; only the muter sees them', async () => {
  const a = await registerUser(t);
  const b = await registerUser(t);
  const c = await registerUser(t);
  assert.deepEqual((await t.api('GET', '/users/mutes', { token: a.accessToken })).body, []);
  assert.equal((await t.api('PUT', `/users/mutes/${b.id}`, { token: a.accessToken })).status, 204);
  assert.equal((await t.api('PUT', `/users/mutes/${b.id}`, { token: a.accessToken })).status, 204);
  assert.equal((await t.api('PUT', `/users/mutes/${c.id}`, { token: a.accessToken })).status, 204);
  assert.deepEqual(
    (await t.api('GET', '/users/mutes', { token: a.accessToken })).body.sort(),
    [b.id, c.id].sort(),
  );
  assert.deepEqual((await t.api('GET', '/users/mutes', { token: b.accessToken })).body, []);
  assert.equal((await t.api('DELETE', `/users/mutes/${b.id}`, { token: a.accessToken })).status, 204);
  assert.deepEqual((await t.api('GET', '/users/mutes', { token: a.accessToken })).body, [c.id]);
  assert.equal((await t.api('PUT', `/users/mutes/${a.id}`, { token: a.accessToken })).status, 400);
  assert.equal((await t.api('PUT', '/users/mutes/987654321', { token: a.accessToken })).status, 404);
});

test('profile links: create, list, patch, reorder, delete; max 10; others can list them', async () => {
  const a = await registerUser(t);
  const b = await registerUser(t);
  const made = [];
  for (let i = 0; i < 10; i++) {
    const res = await t.api('POST', '/users/me/profile-links', {
      token: a.accessToken,
      body: { label: `Link ${i}`, url: `https://example.test/${i}` },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.position, i);
    assert.equal(res.body.userId, a.id);
    made.push(res.body);
  }
  const eleventh = await t.api('POST', '/users/me/profile-links', {
    token: a.accessToken,
    body: { label: 'one too many', url: 'https://example.test/11' },
  });
  assert.equal(eleventh.status, 400);
  assert.equal((await t.api('GET', '/users/me/profile-links', { token: a.accessToken })).body.length, 10);

  const patched = await t.api('PATCH', `/users/me/profile-links/${made[0].id}`, {
    token: a.accessToken,
    body: { label: 'Home' },
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.label, 'Home');
  assert.equal(patched.body.url, 'https://example.test/0');
  // Someone else's link is not yours to edit.
  assert.equal(
    (
      await t.api('PATCH', `/users/me/profile-links/${made[0].id}`, {
        token: b.accessToken,
        body: { label: 'x' },
      })
    ).status,
    404,
  );

  const reversed = [...made].reverse().map((l) => l.id);
  const re = await t.api('PUT', '/users/me/profile-links/reorder', {
    token: a.accessToken,
    body: { linkIds: reversed },
  });
  assert.equal(re.status, 200);
  assert.deepEqual(
    re.body.map((l: { id: string }) => l.id),
    reversed,
  );
  const seen = await t.api('GET', `/users/${a.id}/profile-links`, { token: b.accessToken });
  assert.deepEqual(
    seen.body.map((l: { id: string }) => l.id),
    reversed,
  );
  assert.deepEqual(
    seen.body.map((l: { position: number }) => l.position),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );

  for (const linkIds of [reversed.slice(1), [...reversed, reversed[0]], [...reversed.slice(1), '123']]) {
    const bad = await t.api('PUT', '/users/me/profile-links/reorder', {
      token: a.accessToken,
      body: { linkIds },
    });
    assert.equal(bad.status, 400);
  }
  const after = await t.api('GET', '/users/me/profile-links', { token: a.accessToken });
  assert.deepEqual(
    after.body.map((l: { id: string }) => l.id),
    reversed,
  );

  assert.equal(
    (await t.api('DELETE', `/users/me/profile-links/${made[5].id}`, { token: a.accessToken })).status,
    204,
  );
  assert.equal(
    (await t.api('DELETE', `/users/me/profile-links/${made[5].id}`, { token: a.accessToken })).status,
    404,
  );
  assert.equal((await t.api('GET', `/users/${a.id}/profile-links`, { token: b.accessToken })).body.length, 9);
  // Room for one more again.
  const again = await t.api('POST', '/users/me/profile-links', {
    token: a.accessToken,
    body: { label: 'Again', url: 'http://example.test/again' },
  });
  assert.equal(again.status, 201);
  assert.equal((await t.api('GET', '/users/999999/profile-links', { token: b.accessToken })).status, 404);
});

test('profile links validate label and url', async () => {
  const a = await registerUser(t);
  for (const [field, body] of [
    ['label', { label: 'l'.repeat(101), url: 'https://example.test' }],
    ['label', { label: '', url: 'https://example.test' }],
    ['url', { label: 'x', url: `https://example.test/${'u'.repeat(500)}` }],
    ['url', { label: 'x', url: 'ftp://example.test' }],
    ['url', { label: 'x', url: 'javascript:alert(1)' }],
    ['url', { label: 'x' }],
  ] as const) {
    const res = await t.api('POST', '/users/me/profile-links', { token: a.accessToken, body });
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 50));
    assert.equal(res.body.error.data.issues[0].path, field);
  }
  assert.deepEqual((await t.api('GET', '/users/me/profile-links', { token: a.accessToken })).body, []);
});

test('by-username: the user plus canViewProfile, newsletterEnabled and profileLinks', async () => {
  const a = await registerUser(t);
  const b = await registerUser(t);
  await t.api('POST', '/users/me/profile-links', {
    token: a.accessToken,
    body: { label: 'Site', url: 'https://a.test' },
  });
  await t.api('PUT', '/users/preferences', { token: a.accessToken, body: { newsletterEnabled: true } });
  const res = await t.api('GET', `/users/by-username/${a.username.toUpperCase()}`, { token: b.accessToken });
  assert.equal(res.status, 200);
  assert.equal(res.body.id, a.id);
  assert.equal(res.body.username, a.username);
  assert.equal(res.body.email, undefined);
  assert.equal(res.body.canViewProfile, true);
  assert.equal(res.body.newsletterEnabled, true);
  assert.deepEqual(
    res.body.profileLinks.map((l: { label: string; url: string }) => [l.label, l.url]),
    [['Site', 'https://a.test']],
  );
  // One's own lookup includes the email.
  assert.equal(
    (await t.api('GET', `/users/by-username/${a.username}`, { token: a.accessToken })).body.email,
    a.email,
  );
  assert.equal(
    (await t.api('GET', `/users/by-username/${uniq('none')}`, { token: b.accessToken })).status,
    404,
  );
});

test('canViewProfile follows profileVisibility: public, followers, spaces, private', async () => {
  const owner = await registerUser(t);
  const follower = await registerUser(t);
  const pending = await registerUser(t);
  const spaceMate = await registerUser(t);
  const stranger = await registerUser(t);
  await follow(follower, owner);
  await follow(pending, owner, 'pending');
  const accounts = t.reef.services.accounts;
  const previous = accounts.spaces;
  accounts.spaces = {
    ...previous,
    shareSpace: async (_db, x, y) => [x, y].sort().join() === [spaceMate.id, owner.id].sort().join(),
  };
  try {
    const view = async (viewer: TestUser) =>
      (await t.api('GET', `/users/by-username/${owner.username}`, { token: viewer.accessToken })).body
        .canViewProfile;
    const expect: Record<string, [boolean, boolean, boolean, boolean, boolean]> = {
      //         owner follower pending spaceMate stranger
      public: [true, true, true, true, true],
      followers: [true, true, false, false, false],
      spaces: [true, true, false, true, false],
      private: [true, false, false, false, false],
    };
    for (const [visibility, expected] of Object.entries(expect)) {
      const put = await t.api('PUT', '/users/preferences', {
        token: owner.accessToken,
        body: { profileVisibility: visibility },
      });
      assert.equal(put.status, 200);
      const got = [];
      for (const v of [owner, follower, pending, spaceMate, stranger]) got.push(await view(v));
      assert.deepEqual(got, expected, visibility);
    }
    // The same rule on GET /users/:userId and on the handle lookup.
    assert.equal(
      (await t.api('GET', `/users/${owner.id}`, { token: follower.accessToken })).body.canViewProfile,
      false,
    );
    assert.equal(
      (await t.api('GET', `/users/profiles/${owner.username}`, { token: owner.accessToken })).body
        .canViewProfile,
      true,
    );
    assert.equal(await accounts.profiles.canViewProfile(t.reef.engine.db.db, stranger.id, owner.id), false);
  } finally {
    accounts.spaces = previous;
  }
});

test('profiles/:handle: a user first, then a social space, else 404', async () => {
  const a = await registerUser(t);
  const b = await registerUser(t);
  const res = await t.api('GET', `/users/profiles/${a.username}`, { token: b.accessToken });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    type: 'user',
    id: a.id,
    username: a.username,
    displayName: a.user.displayName,
    avatarUrl: null,
    baseColor: null,
    accentColor: null,
    canViewProfile: true,
    newsletterEnabled: false,
    profileLinks: [],
  });
  const slug = uniq('club');
  assert.equal((await t.api('GET', `/users/profiles/${slug}`, { token: b.accessToken })).status, 404);

  const space: SpaceProfile = {
    type: 'space',
    id: '42',
    name: 'The Club',
    slug,
    description: null,
    iconUrl: null,
    memberCount: 3,
    baseColor: null,
    accentColor: null,
    textColor: null,
    ownerId: a.id,
  };
  const accounts = t.reef.services.accounts;
  const previous = accounts.spaces;
  accounts.spaces = {
    ...previous,
    findSocialSpaceBySlug: async (_db, s) => (s.toLowerCase() === slug ? space : null),
  };
  try {
    const found = await t.api('GET', `/users/profiles/${slug.toUpperCase()}`, { token: b.accessToken });
    assert.equal(found.status, 200);
    assert.deepEqual(found.body, space);
    assert.equal(
      (await t.api('GET', `/users/profiles/${a.username}`, { token: b.accessToken })).body.type,
      'user',
    );
  } finally {
    accounts.spaces = previous;
  }
});
