/**
 * Public-space guest visits: space:visit / space:leave_visit / space:kick_guest, with a test
 * GuestVisitPolicy standing in for the spaces feature.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from './context.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { SioClient, WsClient, barrier, openSockets, until, useProvider } from './realtime-clients.ts';

let t: TestContext;
const publicSpace = '9300000000000001';
const privateSpace = '9300000000000002';
let owner: TestUser; // member with MANAGE_MEMBERS
let member: TestUser; // member without it
let guest: TestUser;

before(async () => {
  t = await TestContext.start();
  [owner, member, guest] = await Promise.all([registerUser(t), registerUser(t), registerUser(t)]);
  const members = new Set([owner.id, member.id]);
  useProvider(t, {
    prefix: 'space',
    roomsOf: async (userId) => (members.has(userId) ? [`space:${publicSpace}`] : []),
    canJoin: async (userId) => members.has(userId),
  });
});
after(() => t.close());

test('without a visit policy (no spaces feature yet) visits answer SERVICE_UNAVAILABLE', async () => {
  t.reef.services.realtime.setGuestVisitPolicy(null);
  const g = await WsClient.connect(t, guest.accessToken);
  const r = await g.call('space:visit', { spaceId: publicSpace });
  assert.equal(r.error!.code, 'SERVICE_UNAVAILABLE');
  await g.close();
});

test('a guest visits a public space, hears its events, is announced once, leaves, and is kicked', async () => {
  t.reef.services.realtime.setGuestVisitPolicy({
    canVisit: async (_userId, spaceId) => spaceId === publicSpace,
    canKickGuests: async (userId) => userId === owner.id,
  });
  const room = `space:${publicSpace}`;
  const o = await SioClient.connect(t, owner.accessToken);
  const m = await WsClient.connect(t, member.accessToken);
  const g1 = await WsClient.connect(t, guest.accessToken);
  const g2 = await SioClient.connect(t, guest.accessToken);
  try {
    // 1. Private spaces cannot be visited; a member is already in their space.
    assert.equal((await g1.call('space:visit', { spaceId: privateSpace })).error!.code, 'FORBIDDEN');
    assert.equal((await m.call('space:visit', { spaceId: publicSpace })).error!.code, 'CONFLICT');

    // 2. Two tabs of the guest visit: one guest_joined, with the public user.
    assert.deepEqual(await g1.call('space:visit', { spaceId: publicSpace }), {
      ok: true,
      data: { spaceId: publicSpace },
    });
    assert.equal((await g2.call('space:visit', { spaceId: publicSpace })).ok, true);
    await barrier(t, room, [o, m, g1, g2]);
    const joined = o.named('space:guest_joined');
    assert.equal(joined.length, 1);
    assert.deepEqual(joined[0], {
      spaceId: publicSpace,
      user: { id: guest.id, username: guest.username, displayName: guest.user.displayName, avatarUrl: null },
    });
    assert.deepEqual(m.named('space:guest_joined'), joined);
    assert.equal(g1.named('space:guest_joined').length, 0, 'the guest is not told about itself');
    // The guest's sockets now hear the space.
    t.reef.engine.rooms.emit(room, 'channel:activity', { spaceId: publicSpace, channelId: '1' });
    await barrier(t, room, [g1, g2]);
    assert.equal(g1.named('channel:activity').length, 1);
    assert.equal(g2.named('channel:activity').length, 1);

    // 3. One tab leaves: still a guest. Then it visits again: no second guest_joined.
    assert.equal((await g2.call('space:leave_visit', { spaceId: publicSpace })).ok, true);
    assert.equal((await g2.call('space:visit', { spaceId: publicSpace })).ok, true);
    await barrier(t, room, [o]);
    assert.equal(o.named('space:guest_left').length, 0);
    assert.equal(o.named('space:guest_joined').length, 1);

    // 4. A member without MANAGE_MEMBERS cannot kick; the owner can.
    const denied = await m.call('space:kick_guest', { spaceId: publicSpace, targetUserId: guest.id });
    assert.equal(denied.error!.code, 'FORBIDDEN');
    assert.deepEqual(await o.call('space:kick_guest', { spaceId: publicSpace, targetUserId: guest.id }), {
      ok: true,
      data: { spaceId: publicSpace, userId: guest.id },
    });
    await g1.waitFor('space:guest_kicked');
    await g2.waitFor('space:guest_kicked');
    assert.deepEqual(g1.named('space:guest_kicked'), [{ spaceId: publicSpace }]);
    await barrier(t, room, [o]);
    assert.deepEqual(o.named('space:guest_left'), [{ spaceId: publicSpace, userId: guest.id }]);
    // Kicked sockets are out of the room.
    t.reef.engine.rooms.emit(room, 'channel:activity', { spaceId: publicSpace, channelId: '2' });
    await barrier(t, room, [o]);
    await barrier(t, `user:${guest.id}`, [g1, g2]);
    assert.equal(g1.named('channel:activity').length, 1);
    assert.equal(g2.named('channel:activity').length, 1);
    // Kicking someone who is not visiting is a 404.
    const again = await o.call('space:kick_guest', { spaceId: publicSpace, targetUserId: guest.id });
    assert.equal(again.error!.code, 'NOT_FOUND');

    // 5. A visiting socket that disconnects ends the visit.
    assert.equal((await g1.call('space:visit', { spaceId: publicSpace })).ok, true);
    await o.waitFor('space:guest_joined', () => o.named('space:guest_joined').length === 2);
    await g1.close();
    await until(() => o.named('space:guest_left').length === 2);
  } finally {
    await Promise.all([o, m, g1, g2].map((c) => c.close()));
    await until(() => openSockets(t) === 0);
  }
});
