import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerAdmin, registerUser } from '../helpers/users.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { addMember, createRole, createSpace, expectStatus, grantRoles, type TestSpace } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('public directory: search, tag, featured, pagination; by-slug and embeds without auth', async () => {
  const tag = uniq('tag');
  const word = uniq('word');
  const owner = await registerUser(t);
  const spaces: TestSpace[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await createSpace(t, owner, { name: `${word} club ${i}`, description: 'all about it' });
    await expectStatus(
      t.api('PUT', `/spaces/${s.id}/admin-settings`, { token: owner.accessToken, body: { isPublic: true } }),
      200,
    );
    spaces.push(s);
  }
  const hidden = await createSpace(t, owner, { name: `${word} secret` });
  await expectStatus(
    t.api('PUT', `/spaces/${spaces[0]!.id}/tags`, {
      token: owner.accessToken,
      body: { tags: [tag, 'Hiking', 'hiking'] },
    }),
    200,
  );
  assert.deepEqual(
    await expectStatus(t.api('GET', `/spaces/${spaces[0]!.id}/tags`, { token: owner.accessToken }), 200),
    [tag, 'Hiking'],
  );
  await expectStatus(
    t.api('PUT', `/spaces/${spaces[0]!.id}/tags`, {
      token: owner.accessToken,
      body: { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
    }),
    400,
  );
  await addMember(t, spaces[1]!);
  const viewer = await registerUser(t);
  const found = await expectStatus(
    t.api('GET', `/spaces/directory?search=${word}`, { token: viewer.accessToken }),
    200,
  );
  assert.deepEqual(
    found.map((s: any) => s.id),
    [spaces[1]!.id, spaces[0]!.id, spaces[2]!.id],
    'public only, most members first',
  );
  assert.ok(!found.some((s: any) => s.id === hidden.id));
  const page = await expectStatus(
    t.api('GET', `/spaces/directory?search=${word}&limit=1&offset=1`, { token: viewer.accessToken }),
    200,
  );
  assert.deepEqual(
    page.map((s: any) => s.id),
    [spaces[0]!.id],
  );
  const byTag = await expectStatus(
    t.api('GET', `/spaces/directory?tag=${tag.toUpperCase()}`, { token: viewer.accessToken }),
    200,
  );
  assert.deepEqual(
    byTag.map((s: any) => s.id),
    [spaces[0]!.id],
  );
  const tags = await expectStatus(t.api('GET', '/spaces/directory/tags', { token: viewer.accessToken }), 200);
  assert.deepEqual(
    tags.find((x: any) => x.tag === tag),
    { tag, count: 1 },
  );
  // Featuring is a global admin's call.
  await expectStatus(
    t.api('PUT', `/spaces/${spaces[2]!.id}/admin-settings`, {
      token: owner.accessToken,
      body: { isFeatured: true },
    }),
    403,
  );
  const admin = await registerAdmin(t);
  await addMember(t, spaces[2]!, admin);
  await grantRoles(t, spaces[2]!, admin, [await createRole(t, spaces[2]!, Permission.MANAGE_SPACE)]);
  await expectStatus(
    t.api('PUT', `/spaces/${spaces[2]!.id}/admin-settings`, {
      token: admin.accessToken,
      body: { isFeatured: true },
    }),
    200,
  );
  const featured = await expectStatus(
    t.api('GET', '/spaces/directory/featured', { token: viewer.accessToken }),
    200,
  );
  assert.ok(featured.some((s: any) => s.id === spaces[2]!.id));
  assert.ok(!featured.some((s: any) => s.id === spaces[0]!.id));
  // By slug, no token.
  const bySlug = await expectStatus(t.api('GET', `/spaces/by-slug/${spaces[0]!.slug.toUpperCase()}`), 200);
  assert.equal(bySlug.id, spaces[0]!.id);
  const embed = await expectStatus(t.api('GET', `/spaces/by-slug/${spaces[0]!.slug}/embed`), 200);
  assert.deepEqual(Object.keys(embed).sort(), [
    'accentColor',
    'baseColor',
    'channelCount',
    'description',
    'iconUrl',
    'id',
    'isPublic',
    'memberCount',
    'name',
    'slug',
    'textColor',
  ]);
  assert.equal(embed.channelCount, 1, 'general only: the admin channel is private');
  await expectStatus(t.api('GET', `/spaces/by-slug/${uniq('none')}`), 404);
  // A public space is readable by non-members; a private one is not.
  await expectStatus(t.api('GET', `/spaces/${spaces[0]!.id}/embed`, { token: viewer.accessToken }), 200);
  const guestChannels = await expectStatus(
    t.api('GET', `/spaces/${spaces[0]!.id}/channels`, { token: viewer.accessToken }),
    200,
  );
  assert.deepEqual(
    guestChannels.map((c: any) => c.name),
    ['general'],
  );
  await expectStatus(t.api('GET', `/spaces/${hidden.id}/embed`, { token: viewer.accessToken }), 403);
});

test('admin settings: defaults, partial update, webhook secret generated once and rotated', async () => {
  const space = await createSpace(t);
  const tok = space.owner.accessToken;
  const s0 = await expectStatus(t.api('GET', `/spaces/${space.id}/admin-settings`, { token: tok }), 200);
  assert.equal(s0.spaceId, space.id);
  assert.equal(s0.newsletterTrackingEnabled, true);
  assert.equal(s0.webhookSecret, null);
  assert.deepEqual(s0.publicNavLinks, []);
  const s1 = await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: tok,
      body: {
        socialEnabled: true,
        baseColor: '#112233',
        webhooksEnabled: true,
        publicNavLinks: [{ label: 'Site', url: 'https://x.test' }],
        publicNavDisabledFeatures: ['blog'],
      },
    }),
    200,
  );
  assert.equal(s1.socialEnabled, true);
  assert.equal(s1.baseColor, '#112233');
  assert.match(s1.webhookSecret, /^whsec_/);
  assert.deepEqual(s1.publicNavDisabledFeatures, ['blog']);
  const s2 = await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, { token: tok, body: { webhooksEnabled: true } }),
    200,
  );
  assert.equal(s2.webhookSecret, s1.webhookSecret, 'generated the first time only');
  const s3 = await expectStatus(
    t.api('POST', `/spaces/${space.id}/admin-settings/rotate-webhook-secret`, { token: tok }),
    200,
  );
  assert.notEqual(s3.webhookSecret, s1.webhookSecret);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: tok,
      body: { publicNavDisabledFeatures: ['nope'] },
    }),
    400,
  );
  const got = await expectStatus(t.api('GET', `/spaces/${space.id}`, { token: tok }), 200);
  assert.equal(got.baseColor, '#112233');
  // managed-social-spaces: socialEnabled and MANAGE_SOCIAL.
  const bob = await addMember(t, space);
  assert.deepEqual(
    await expectStatus(t.api('GET', '/users/me/managed-social-spaces', { token: bob.accessToken }), 200),
    [],
  );
  await grantRoles(t, space, bob, [await createRole(t, space, Permission.MANAGE_SOCIAL)]);
  const managed = await expectStatus(
    t.api('GET', '/users/me/managed-social-spaces', { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(managed, [
    {
      id: space.id,
      name: `Space ${space.slug}`,
      slug: space.slug,
      iconUrl: null,
      baseColor: '#112233',
      accentColor: null,
    },
  ]);
  // The space is a profile handle now (accounts' SpaceDirectory).
  const prof = await expectStatus(
    t.api('GET', `/users/profiles/${space.slug}`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual([prof.type, prof.id, prof.slug], ['space', space.id, space.slug]);
});

test('mutes and member settings: per user; muted-spaces lists them', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const S = `/spaces/${space.id}`;
  assert.deepEqual(await expectStatus(t.api('GET', `${S}/mute`, { token: bob.accessToken }), 200), {
    muted: false,
  });
  await expectStatus(t.api('PUT', `${S}/mute`, { token: bob.accessToken }), 200);
  assert.deepEqual(await expectStatus(t.api('GET', `${S}/mute`, { token: bob.accessToken }), 200), {
    muted: true,
  });
  assert.deepEqual(await expectStatus(t.api('GET', `${S}/mute`, { token: space.owner.accessToken }), 200), {
    muted: false,
  });
  assert.deepEqual(await expectStatus(t.api('GET', '/users/muted-spaces', { token: bob.accessToken }), 200), [
    space.id,
  ]);
  await expectStatus(t.api('DELETE', `${S}/mute`, { token: bob.accessToken }), 200);
  assert.deepEqual(
    await expectStatus(t.api('GET', '/users/muted-spaces', { token: bob.accessToken }), 200),
    [],
  );
  const stranger = await registerUser(t);
  await expectStatus(t.api('PUT', `${S}/mute`, { token: stranger.accessToken }), 403);
  const d = await expectStatus(t.api('GET', `${S}/settings/me`, { token: bob.accessToken }), 200);
  assert.deepEqual(d, { muteAll: false, muteMentions: false, muteEvents: false, muteBlog: false });
  const u = await expectStatus(
    t.api('PUT', `${S}/settings/me`, { token: bob.accessToken, body: { muteMentions: true } }),
    200,
  );
  assert.equal(u.muteMentions, true);
  assert.equal(
    (await expectStatus(t.api('GET', `${S}/settings/me`, { token: bob.accessToken }), 200)).muteMentions,
    true,
  );
  assert.equal(
    (await expectStatus(t.api('GET', `${S}/settings/me`, { token: space.owner.accessToken }), 200))
      .muteMentions,
    false,
  );
  // Channel mutes.
  await expectStatus(t.api('PUT', `${S}/channels/${space.generalId}/mute`, { token: bob.accessToken }), 200);
  assert.deepEqual(await expectStatus(t.api('GET', `${S}/channels/muted`, { token: bob.accessToken }), 200), [
    space.generalId,
  ]);
  await expectStatus(
    t.api('DELETE', `${S}/channels/${space.generalId}/mute`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(
    await expectStatus(t.api('GET', `${S}/channels/muted`, { token: bob.accessToken }), 200),
    [],
  );
});
