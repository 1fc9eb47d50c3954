/**
 * Two reef nodes sharing PostgreSQL, NATS and Redis (one namespace, distinct NODE_IDs): cross-node
 * fan-out exactly once, presence across nodes, control messages (kick, joinUser) across nodes.
 * Needs the real services: runs with REEF_TEST_SERVICES=1, skipped otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { SERVICES, TestContext, uniq } from './context.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { SioClient, WsClient, barrier, openSockets, until, useProvider } from './realtime-clients.ts';
import { snowflake } from '../http/validate.ts';

const skip = SERVICES ? false : 'two-node tests need NATS: run with REEF_TEST_SERVICES=1';
let a: TestContext;
let b: TestContext;
const spaceId = '9400000000000001';
const channelId = '9400000000000002';
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

before(async () => {
  if (!SERVICES) return;
  const namespace = uniq('c');
  [a, b] = await Promise.all([
    TestContext.start({ env: { NAMESPACE: namespace, NODE_ID: '1' } }),
    TestContext.start({ env: { NAMESPACE: namespace, NODE_ID: '2' } }),
  ]);
  [alice, bob, carol] = await Promise.all([registerUser(a), registerUser(a), registerUser(a)]);
  const members = new Set([alice.id, bob.id]);
  for (const node of [a, b]) {
    const rt = node.reef.services.realtime;
    useProvider(node, {
      prefix: 'space',
      roomsOf: async (userId) => (members.has(userId) ? [`space:${spaceId}`] : []),
      canJoin: async (userId) => members.has(userId),
    });
    useProvider(node, { prefix: 'channel', canJoin: async (userId) => members.has(userId) });
    rt.setGuestVisitPolicy({
      canVisit: async () => true,
      canKickGuests: async (userId) => userId === alice.id,
    });
    // Stands in for message:send of the messages feature.
    rt.command('test:send', v.object({ channelId: snowflake, content: v.string() }), (user, d) => {
      node.reef.engine.rooms.emit(`channel:${d.channelId}`, 'message:new', { ...d, authorId: user.id });
      return null;
    });
  }
});
after(async () => {
  if (SERVICES) await Promise.all([a.close(), b.close()]);
});

test('a message sent on node A reaches clients on node B (and A) exactly once', { skip }, async () => {
  const sender = await SioClient.connect(a, alice.accessToken);
  const onA = await WsClient.connect(a, bob.accessToken);
  const onB = [await SioClient.connect(b, bob.accessToken), await WsClient.connect(b, bob.accessToken)];
  try {
    for (const c of [sender, onA, ...onB])
      assert.equal((await c.call('channel:join', { channelId })).ok, true);
    for (let i = 0; i < 20; i++)
      assert.equal((await sender.call('test:send', { channelId, content: `m${i}` })).ok, true);
    await barrier(a, `channel:${channelId}`, [sender, onA, ...onB]);
    const expected = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const c of [sender, onA, ...onB])
      assert.deepEqual(
        c.named('message:new').map((m) => m.content),
        expected,
      );
    // Typing across nodes: once, throttled across nodes, not to the typist.
    await onB[0]!.call('message:typing', { channelId });
    await onA.call('message:typing', { channelId });
    await barrier(b, `channel:${channelId}`, [sender, onA, ...onB]);
    assert.deepEqual(sender.named('member:typing'), [{ channelId, userId: bob.id, username: bob.username }]);
    assert.equal(onA.named('member:typing').length, 0);
  } finally {
    await Promise.all([sender, onA, ...onB].map((c) => c.close()));
    await until(() => openSockets(a) + openSockets(b) === 0);
  }
});

test('node B listens to a room only while one of its sockets is in it', { skip }, async () => {
  const before = b.reef.services.realtime.stats().rooms;
  const onB = await WsClient.connect(b, bob.accessToken);
  // user:<bob> and space:<spaceId>
  assert.equal(b.reef.services.realtime.stats().rooms, before + 2);
  assert.equal((await onB.call('channel:join', { channelId })).ok, true);
  assert.equal(b.reef.services.realtime.stats().rooms, before + 3);
  assert.equal((await onB.call('channel:leave', { channelId })).ok, true);
  assert.equal(b.reef.services.realtime.stats().rooms, before + 2);
  await onB.close();
  await until(() => b.reef.services.realtime.stats().rooms === before);
});

test('presence goes offline only when the last tab on any node closes', { skip }, async () => {
  const room = `space:${spaceId}`;
  const watcher = await SioClient.connect(b, bob.accessToken);
  const tabA = await WsClient.connect(a, alice.accessToken);
  const tabB = await SioClient.connect(b, alice.accessToken);
  const statuses = () =>
    watcher
      .named('member:presence')
      .filter((d) => d.userId === alice.id)
      .map((d) => d.status);
  try {
    await barrier(a, room, [watcher]);
    assert.deepEqual(statuses(), ['online']);
    await tabA.close();
    await until(() => openSockets(a) === 0);
    await barrier(a, room, [watcher]);
    assert.deepEqual(statuses(), ['online']);
    assert.equal(await a.reef.services.realtime.presence.get(alice.id), 'online');
    await tabB.close();
    await until(() => statuses().length === 2);
    await barrier(b, room, [watcher]);
    assert.deepEqual(statuses(), ['online', 'offline']);
    assert.equal(await a.reef.services.realtime.presence.get(alice.id), 'offline');
  } finally {
    await Promise.all([watcher, tabA, tabB].map((c) => c.close()));
    await until(() => openSockets(a) + openSockets(b) === 0);
  }
});

test(
  'a guest kicked on node A is removed from the space on node B; joinUser reaches every node',
  { skip },
  async () => {
    const room = `space:${spaceId}`;
    const admin = await SioClient.connect(a, alice.accessToken);
    const guestB = await WsClient.connect(b, carol.accessToken);
    try {
      assert.equal((await guestB.call('space:visit', { spaceId })).ok, true);
      await admin.waitFor('space:guest_joined');
      assert.equal((await admin.call('space:kick_guest', { spaceId, targetUserId: carol.id })).ok, true);
      await guestB.waitFor('space:guest_kicked');
      await admin.waitFor('space:guest_left');
      a.reef.engine.rooms.emit(room, 'channel:activity', { n: 1 });
      await barrier(a, room, [admin]);
      await barrier(a, `user:${carol.id}`, [guestB]);
      assert.equal(guestB.named('channel:activity').length, 0);

      // A feature on node A puts carol's sockets (on B) in a room without a client join.
      a.reef.services.realtime.joinUser(carol.id, `dm:${channelId}`);
      await until(() => b.reef.services.realtime.stats().rooms > 0 && guestBInRoom());
      a.reef.engine.rooms.emit(`dm:${channelId}`, 'dm:new', { id: 'x' });
      await guestB.waitFor('dm:new');
      a.reef.services.realtime.leaveUser(carol.id, `dm:${channelId}`);
      await until(() => !guestBInRoom());
    } finally {
      await Promise.all([admin, guestB].map((c) => c.close()));
      await until(() => openSockets(a) + openSockets(b) === 0);
    }

    function guestBInRoom(): boolean {
      const conns = b.reef.services.realtime.hub.connectionsOf(carol.id);
      return [...(conns ?? [])].some((c) => c.joined.has(`dm:${channelId}`));
    }
  },
);
