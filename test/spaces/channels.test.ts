import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUser } from '../helpers/users.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createChannel, createSpace, expectStatus } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('channels: validation, voice fields, categories, reorder, update, delete', async () => {
  const space = await createSpace(t);
  const tok = space.owner.accessToken;
  const S = `/spaces/${space.id}`;
  await expectStatus(t.api('POST', `${S}/channels`, { token: tok, body: { name: 'Bad Name!' } }), 400);
  await expectStatus(t.api('POST', `${S}/channels`, { token: tok, body: { name: 'ok', type: 'nope' } }), 400);
  await expectStatus(
    t.api('POST', `${S}/channels`, { token: tok, body: { name: 'ok', topic: 'x'.repeat(1025) } }),
    400,
  );
  const cat = await expectStatus(
    t.api('POST', `${S}/categories`, { token: tok, body: { name: 'Outdoors' } }),
    201,
  );
  const cat2 = await expectStatus(
    t.api('POST', `${S}/categories`, { token: tok, body: { name: 'Indoors' } }),
    201,
  );
  const voice = await expectStatus(
    t.api('POST', `${S}/channels`, {
      token: tok,
      body: {
        name: 'campfire',
        type: 'voice',
        categoryId: cat.id,
        publicVoiceAccess: true,
        voicePassword: 'hunter2',
        voiceIdentityMode: 'require_login',
      },
    }),
    201,
  );
  assert.deepEqual(
    {
      type: voice.type,
      categoryId: voice.categoryId,
      publicVoiceAccess: voice.publicVoiceAccess,
      publicVoiceChat: voice.publicVoiceChat,
      voiceIdentityMode: voice.voiceIdentityMode,
      voiceHasPassword: voice.voiceHasPassword,
    },
    {
      type: 'voice',
      categoryId: cat.id,
      publicVoiceAccess: true,
      publicVoiceChat: false,
      voiceIdentityMode: 'require_login',
      voiceHasPassword: true,
    },
  );
  assert.ok(!JSON.stringify(voice).includes('hunter2'));
  const text = await createChannel(t, space, { name: 'trail-talk', topic: 'routes' });
  assert.equal(text.publicVoiceAccess, undefined, 'voice fields only on voice channels');
  const patched = await expectStatus(
    t.api('PATCH', `${S}/channels/${voice.id}`, {
      token: tok,
      body: { voicePassword: null, name: 'Fireside' },
    }),
    200,
  );
  assert.equal(patched.voiceHasPassword, false);
  assert.equal(patched.name, 'fireside');
  // Reorder channels and categories.
  await expectStatus(
    t.api('PUT', `${S}/channels/reorder`, {
      token: tok,
      body: {
        channels: [
          { channelId: text.id, position: 0, categoryId: cat2.id },
          { channelId: space.generalId, position: 5 },
        ],
      },
    }),
    200,
  );
  const list = await expectStatus(t.api('GET', `${S}/channels`, { token: tok }), 200);
  assert.equal(list[0].id, text.id);
  assert.equal(list[0].categoryId, cat2.id);
  const cats = await expectStatus(
    t.api('PUT', `${S}/categories/reorder`, {
      token: tok,
      body: {
        categories: [
          { categoryId: cat2.id, position: 0 },
          { categoryId: cat.id, position: 1 },
        ],
      },
    }),
    200,
  );
  assert.deepEqual(
    cats.map((c: any) => c.id),
    [cat2.id, cat.id],
  );
  const renamed = await expectStatus(
    t.api('PATCH', `${S}/categories/${cat.id}`, { token: tok, body: { name: 'Outside' } }),
    200,
  );
  assert.equal(renamed.name, 'Outside');
  await expectStatus(t.api('DELETE', `${S}/categories/${cat2.id}`, { token: tok }), 204);
  const after = await expectStatus(t.api('GET', `${S}/channels`, { token: tok }), 200);
  assert.equal(
    after.find((c: any) => c.id === text.id).categoryId,
    null,
    'channels of a deleted category stay, uncategorised',
  );
  // The admin channel stays; other channels can be deleted, with their messages.
  await expectStatus(t.api('DELETE', `${S}/channels/${space.adminChannelId}`, { token: tok }), 400);
  await expectStatus(
    t.api('PATCH', `${S}/channels/${space.adminChannelId}`, { token: tok, body: { isPrivate: false } }),
    400,
  );
  await expectStatus(
    t.api('POST', `/channels/${text.id}/messages`, { token: tok, body: { content: 'bye' } }),
    201,
  );
  await expectStatus(t.api('DELETE', `${S}/channels/${text.id}`, { token: tok }), 204);
  await expectStatus(t.api('GET', `/channels/${text.id}/messages`, { token: tok }), 404);
  const rows = await t.reef.engine.db.db
    .selectFrom('messages')
    .select('id')
    .where('channel_id', '=', text.id)
    .execute();
  assert.equal(rows.length, 0);
});

test('private channel members: add (idempotent), list, remove; a removed member loses the channel', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const priv = await createChannel(t, space, { isPrivate: true });
  const M = `/spaces/${space.id}/channels/${priv.id}/members`;
  const before = await expectStatus(t.api('GET', M, { token: space.owner.accessToken }), 200);
  assert.deepEqual(
    before.map((u: any) => u.id),
    [space.owner.id],
    'the creator is a member',
  );
  assert.deepEqual(
    await expectStatus(t.api('PUT', `${M}/${bob.id}`, { token: space.owner.accessToken }), 200),
    { success: true },
  );
  assert.deepEqual(
    await expectStatus(t.api('PUT', `${M}/${bob.id}`, { token: space.owner.accessToken }), 200),
    { success: true },
  );
  const listed = await expectStatus(t.api('GET', M, { token: space.owner.accessToken }), 200);
  assert.deepEqual(
    listed.find((u: any) => u.id === bob.id),
    { id: bob.id, username: bob.username, displayName: bob.user.displayName, avatarUrl: null },
  );
  await expectStatus(t.api('GET', M, { token: bob.accessToken }), 403);
  await expectStatus(t.api('GET', `/channels/${priv.id}/messages`, { token: bob.accessToken }), 200);
  const stranger = await registerUser(t);
  await expectStatus(t.api('PUT', `${M}/${stranger.id}`, { token: space.owner.accessToken }), 404);
  await expectStatus(t.api('DELETE', `${M}/${bob.id}`, { token: space.owner.accessToken }), 200);
  await expectStatus(t.api('GET', `/channels/${priv.id}/messages`, { token: bob.accessToken }), 403);
});

test('guest visits of a public space (space:visit): allowed in public spaces only, refused when banned', async () => {
  const space = await createSpace(t);
  const guest = await registerUser(t);
  const sock = await SioClient.connect(t, guest.accessToken);
  try {
    const refused = await sock.call('space:visit', { spaceId: space.id });
    assert.equal(refused.ok, false);
    await expectStatus(
      t.api('PUT', `/spaces/${space.id}/admin-settings`, {
        token: space.owner.accessToken,
        body: { isPublic: true },
      }),
      200,
    );
    const ok = await sock.call('space:visit', { spaceId: space.id });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    await sock.call('space:leave_visit', { spaceId: space.id });
    await expectStatus(
      t.api('POST', `/spaces/${space.id}/bans/${guest.id}`, { token: space.owner.accessToken, body: {} }),
      201,
    );
    assert.equal((await sock.call('space:visit', { spaceId: space.id })).ok, false);
  } finally {
    await sock.close();
  }
});
