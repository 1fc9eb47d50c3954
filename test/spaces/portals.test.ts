import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus, send } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('portal by invite: accept mirrors the channel into the target space; messages appear in both; remove ends it', async () => {
  const a = await createSpace(t);
  const b = await createSpace(t);
  const aMember = await addMember(t, a);
  const bMember = await addMember(t, b);
  // The source admin asks; only the target's admin can accept.
  const inv = await expectStatus(
    t.api('POST', `/spaces/${a.id}/portal-invites`, {
      token: a.owner.accessToken,
      body: { channelId: a.generalId, targetSpaceId: b.id },
    }),
    201,
  );
  assert.equal(inv.status, 'pending');
  await expectStatus(
    t.api('POST', `/spaces/${a.id}/portal-invites`, {
      token: a.owner.accessToken,
      body: { channelId: a.generalId, targetSpaceId: b.id },
    }),
    409,
  );
  const pending = await expectStatus(
    t.api('GET', `/spaces/${b.id}/portal-invites`, { token: bMember.accessToken }),
    200,
  );
  assert.deepEqual(
    pending.map((x: any) => x.id),
    [inv.id],
  );
  // The target's owner is told, with an actionable notification that follows the invite's state.
  const inbox = async () =>
    (await expectStatus(t.api('GET', '/notifications', { token: b.owner.accessToken }), 200)).filter(
      (n: any) => n.type === 'portal_invite',
    );
  const [note] = await inbox();
  assert.equal(note.data.inviteId, inv.id);
  assert.equal(note.data.sourceSpaceId, a.id);
  assert.equal(note.data.spaceId, b.id);
  assert.equal(note.data.channelId, a.generalId);
  assert.equal(note.resolvedStatus, 'pending');
  assert.equal(
    (await expectStatus(t.api('GET', '/notifications', { token: bMember.accessToken }), 200)).length,
    0,
  );
  await expectStatus(
    t.api('POST', `/spaces/${b.id}/portal-invites/${inv.id}/accept`, { token: bMember.accessToken }),
    403,
  );
  const portal = await expectStatus(
    t.api('POST', `/spaces/${b.id}/portal-invites/${inv.id}/accept`, { token: b.owner.accessToken }),
    200,
  );
  assert.deepEqual([portal.sourceSpaceId, portal.channelId, portal.targetSpaceId], [a.id, a.generalId, b.id]);
  assert.equal((await inbox())[0].resolvedStatus, 'accepted');
  assert.deepEqual(
    await expectStatus(t.api('GET', `/spaces/${b.id}/portal-invites`, { token: b.owner.accessToken }), 200),
    [],
  );
  // The target space lists the mirrored channel.
  const bChannels = await expectStatus(
    t.api('GET', `/spaces/${b.id}/channels`, { token: bMember.accessToken }),
    200,
  );
  const mirrored = bChannels.find((c: any) => c.id === a.generalId);
  assert.deepEqual(mirrored.portal, { portalId: portal.id, sourceSpaceId: a.id });
  // Messages from both sides, one channel.
  const sock = await SioClient.connect(t, aMember.accessToken);
  try {
    await sock.call('channel:join', { channelId: a.generalId });
    const fromA = await send(t, aMember, a.generalId, 'hello from A');
    const fromB = await send(t, bMember, a.generalId, 'hello from B');
    assert.equal((await sock.waitFor('message:new', (d) => d.id === fromB.id)).authorId, bMember.id);
    const seenInB = await expectStatus(
      t.api('GET', `/channels/${a.generalId}/messages`, { token: bMember.accessToken }),
      200,
    );
    const seenInA = await expectStatus(
      t.api('GET', `/channels/${a.generalId}/messages`, { token: aMember.accessToken }),
      200,
    );
    assert.deepEqual(
      seenInB.map((m: any) => m.id),
      [fromB.id, fromA.id],
    );
    assert.deepEqual(
      seenInA.map((m: any) => m.id),
      [fromB.id, fromA.id],
    );
  } finally {
    await sock.close();
  }
  const listed = await expectStatus(
    t.api('GET', `/spaces/${a.id}/portals`, { token: aMember.accessToken }),
    200,
  );
  assert.deepEqual(
    listed.map((p: any) => p.id),
    [portal.id],
  );
  // Remove from the target side: the channel is gone from B, B's members can no longer post.
  await expectStatus(
    t.api('DELETE', `/spaces/${b.id}/portals/${portal.id}`, { token: bMember.accessToken }),
    403,
  );
  await expectStatus(
    t.api('DELETE', `/spaces/${b.id}/portals/${portal.id}`, { token: b.owner.accessToken }),
    204,
  );
  const after = await expectStatus(
    t.api('GET', `/spaces/${b.id}/channels`, { token: bMember.accessToken }),
    200,
  );
  assert.ok(!after.some((c: any) => c.id === a.generalId));
  await expectStatus(
    t.api('POST', `/channels/${a.generalId}/messages`, {
      token: bMember.accessToken,
      body: { content: 'gone' },
    }),
    403,
  );
});

test('direct portal needs MANAGE_CHANNELS on both sides; reject; eligible spaces', async () => {
  const a = await createSpace(t);
  const b = await createSpace(t, a.owner);
  const c = await createSpace(t);
  await expectStatus(
    t.api('POST', `/spaces/${a.id}/portals`, {
      token: a.owner.accessToken,
      body: { channelId: a.generalId, targetSpaceId: c.id },
    }),
    403,
  );
  const eligible = await expectStatus(
    t.api('GET', `/portals/eligible-spaces/${a.generalId}`, { token: a.owner.accessToken }),
    200,
  );
  assert.deepEqual(
    eligible.map((s: any) => s.id),
    [b.id],
  );
  const p = await expectStatus(
    t.api('POST', `/spaces/${a.id}/portals`, {
      token: a.owner.accessToken,
      body: { channelId: a.generalId, targetSpaceId: b.id },
    }),
    201,
  );
  assert.equal(p.targetSpaceId, b.id);
  await expectStatus(
    t.api('POST', `/spaces/${a.id}/portals`, {
      token: a.owner.accessToken,
      body: { channelId: a.generalId, targetSpaceId: b.id },
    }),
    409,
  );
  assert.deepEqual(
    await expectStatus(
      t.api('GET', `/portals/eligible-spaces/${a.generalId}`, { token: a.owner.accessToken }),
      200,
    ),
    [],
  );
  await expectStatus(
    t.api('POST', `/spaces/${a.id}/portals`, {
      token: a.owner.accessToken,
      body: { channelId: a.adminChannelId, targetSpaceId: b.id },
    }),
    400,
  );
  const inv = await expectStatus(
    t.api('POST', `/spaces/${a.id}/portal-invites`, {
      token: a.owner.accessToken,
      body: { channelId: a.generalId, targetSpaceId: c.id },
    }),
    201,
  );
  const rejected = await expectStatus(
    t.api('POST', `/spaces/${c.id}/portal-invites/${inv.id}/reject`, { token: c.owner.accessToken }),
    200,
  );
  assert.equal(rejected.status, 'rejected');
  await expectStatus(
    t.api('POST', `/spaces/${c.id}/portal-invites/${inv.id}/accept`, { token: c.owner.accessToken }),
    409,
  );
  assert.ok(
    !(await expectStatus(t.api('GET', `/spaces/${c.id}/channels`, { token: c.owner.accessToken }), 200)).some(
      (x: any) => x.id === a.generalId,
    ),
  );
});
